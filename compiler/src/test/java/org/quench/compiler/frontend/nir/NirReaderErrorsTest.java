package org.quench.compiler.frontend.nir;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.QuenchException;

/**
 * Each broken fixture (src/test/resources/nir/broken, written by make_fixtures.py) fails with a
 * QuenchException whose message names the file, the node (name and HDF5 path), the parameter and
 * element where there is one, and what is wrong.
 */
class NirReaderErrorsTest {

  private static String failure(Path file) {
    return assertThrows(QuenchException.class, () -> NirReader.read(file)).getMessage();
  }

  private static String failure(String brokenFixture) {
    String message = failure(NirFixtures.path("broken/" + brokenFixture));
    assertContains(message, brokenFixture);
    return message;
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "'" + part + "' missing from: " + message);
    }
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    Path file = dir.resolve("does_not_exist.nir");
    assertContains(failure(file), file.toString(), "no such file");
  }

  @Test
  void directoryIsNotAFile(@TempDir Path dir) {
    assertContains(failure(dir), dir.toString(), "not a regular file");
  }

  @Test
  void textFileIsNotHdf5() {
    assertContains(failure("not_hdf5.nir"), "not an HDF5 file", "nir.write");
  }

  @Test
  void truncatedFileIsReportedAsCorrupt(@TempDir Path dir) throws java.io.IOException {
    byte[] whole = java.nio.file.Files.readAllBytes(NirFixtures.path("real/cnn_sinabs.nir"));
    Path cut = dir.resolve("cut.nir");
    java.nio.file.Files.write(cut, java.util.Arrays.copyOf(whole, whole.length / 4));
    assertContains(failure(cut), "cut.nir", "truncated or corrupt");
  }

  @Test
  void hdf5FileWithoutNodeIsNotNir() {
    assertContains(failure("no_node.nir"), "no /node group");
  }

  @Test
  void unknownNodeTypeNamesTheNodeAndListsKnownTypes() {
    String message = failure("unknown_type.nir");
    assertContains(message, "node 'mystery'", "/node/nodes/mystery", "unknown node type 'Sigmoid'");
    for (String type : NirNode.TYPE_NAMES) {
      assertContains(message, type);
    }
  }

  @Test
  void missingParameterNamesNodeAndParameter() {
    assertContains(failure("missing_param.nir"), "node 'lif'", "/node/nodes/lif",
        "missing required parameter 'v_threshold'", "LIF");
  }

  @Test
  void missingParameterInNestedGraphNamesTheWholePath() {
    assertContains(failure("nested_missing_param.nir"), "node 'lif'",
        "/node/nodes/block.0/nodes/lif", "'tau'");
  }

  @Test
  void affineWeightMustBeTwoDimensional() {
    assertContains(failure("affine_weight_1d.nir"), "node 'fc'", "/node/nodes/fc",
        "'weight' must be 2-D", "[4]");
  }

  @Test
  void affineBiasMustMatchOutputs() {
    assertContains(failure("affine_bias_length.nir"), "node 'fc'", "'bias' has shape [3]",
        "length 4");
  }

  @Test
  void neuronParametersMustShareOneShape() {
    assertContains(failure("neuron_shape_mismatch.nir"), "node 'lif'", "'r' has shape [3]",
        "'tau' has shape [4]");
  }

  @Test
  void nanParameterNamesElement() {
    assertContains(failure("nan_param.nir"), "node 'lif'", "'v_threshold' element 2 is NaN");
  }

  @Test
  void infiniteWeightNamesElement() {
    assertContains(failure("inf_weight.nir"), "node 'fc'", "'weight' element 0 is Infinity");
  }

  @Test
  void negativeTimeConstantIsRejected() {
    assertContains(failure("negative_tau.nir"), "node 'cuba'", "/node/nodes/cuba",
        "'tau_mem' element 1 is -0.01", "must be positive");
  }

  @Test
  void zeroTimeConstantIsRejected() {
    assertContains(failure("zero_tau.nir"), "node 'li'", "'tau' element 0 is 0.0",
        "must be positive");
  }

  @Test
  void unknownPaddingStringIsRejected() {
    assertContains(failure("bad_padding.nir"), "node 'conv'", "'padding' is 'full'",
        "'same' or 'valid'");
  }

  @Test
  void edgeToMissingNodeNamesEdgeAndNode() {
    assertContains(failure("edge_unknown_node.nir"), "top graph at /node", "edge 2 (lif -> ghost)",
        "'ghost' is not a node of this graph", "input, lif, output");
  }

  @Test
  void edgeIntoNestedGraphMustNameAnInnerNode() {
    assertContains(failure("nested_edge_unknown.nir"), "edge 0 (input -> sub.inptu)",
        "'sub.inptu' is not a node");
  }
}
