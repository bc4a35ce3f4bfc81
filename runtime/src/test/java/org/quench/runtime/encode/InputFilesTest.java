package org.quench.runtime.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.session.TestNetworks;

class InputFilesTest {
  private static final ChipImage IMAGE = TestNetworks.small(0);

  @TempDir
  Path dir;

  private String error(Path file, String target) {
    return assertThrows(QuenchException.class, () -> InputFiles.read(file, target, IMAGE))
        .getMessage();
  }

  @Test
  void npyMatrixFeedsTheOnlyPortWithSpikesAndPayloads() {
    Path f = dir.resolve("x.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {3, 4}, new int[] {1, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 1})
        .write(f);
    SpikeTrains t = InputFiles.read(f, IMAGE);
    assertEquals(3, t.length());
    assertArrayEquals(new int[][] {{1, 0, 0, 0}, {0, 0, 5, 0}, {0, 0, 0, 1}}, t.dense("in"));
  }

  @Test
  void npyBoolMatrixAndOneDimensionalBias() {
    Path spikes = dir.resolve("s.npy");
    NpyArray.ofInts(NpyArray.DType.BOOL, new int[] {2, 4}, new int[] {0, 1, 0, 0, 1, 0, 0, 1})
        .write(spikes);
    assertArrayEquals(new int[][] {{0, 1, 0, 0}, {1, 0, 0, 1}},
        InputFiles.read(spikes, IMAGE).dense("in"));
    Path bias = dir.resolve("b.npy");
    NpyArray.ofInts(NpyArray.DType.I8, new int[] {3}, new int[] {5, -6, 7}).write(bias);
    SpikeTrains t = InputFiles.read(bias, "bias:out", IMAGE);
    assertArrayEquals(new int[] {5, -6, 7}, t.biasAt("out", 0));
  }

  @Test
  void npyErrorsSayWhatWasExpected() {
    Path floats = dir.resolve("f.npy");
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {2, 4}, new double[8]).write(floats);
    assertTrue(error(floats, null).contains("floats"));
    Path wide = dir.resolve("w.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {1, 5}, new int[5]).write(wide);
    String m = error(wide, null);
    assertTrue(m.contains(wide.toString()) && m.contains("5 columns") && m.contains("4 channels"), m);
    Path bias = dir.resolve("b.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {2}, new int[2]).write(bias);
    m = error(bias, "bias:hidden");
    assertTrue(m.contains("8 neurons"), m);
    assertTrue(error(bias, "bias:nobody").contains("no population 'nobody'"));
    assertTrue(error(bias, "nope").contains("no input port 'nope'"));
  }

  @Test
  void aWidthMismatchNamesTheShapeAndSpotsATransposedArray() {
    Path transposed = dir.resolve("t.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {4, 30}, new int[120]).write(transposed);
    String m = error(transposed, null);
    assertTrue(m.contains("shape (4, 30)") && m.contains("4 channels") && m.contains("transposed")
        && m.contains("x.T"), m);
    Path wide = dir.resolve("w.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {30, 5}, new int[150]).write(wide);
    m = error(wide, null);
    assertTrue(m.contains("shape (30, 5)") && !m.contains("transposed"), m);
    Path bias = dir.resolve("b.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {8, 20}, new int[160]).write(bias);
    m = error(bias, "bias:hidden");
    assertTrue(m.contains("shape (8, 20)") && m.contains("8 neurons") && m.contains("transposed"), m);
  }

  @Test
  void inputsFromSeveralFilesMergeAndAPortGivenTwiceIsRefused() {
    Path spikes = dir.resolve("s.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {2, 4}, new int[] {1, 0, 0, 0, 0, 0, 0, 1}).write(spikes);
    Path bias = dir.resolve("b.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {3, 3}, new int[] {1, 2, 3, 1, 2, 3, 4, 5, 6}).write(bias);
    SpikeTrains merged = SpikeTrains.merge(java.util.List.of(InputFiles.read(spikes, IMAGE),
        InputFiles.read(bias, "bias:out", IMAGE)), java.util.List.of("s.npy", "b.npy"));
    assertEquals(3, merged.length(), "as long as the longest part");
    assertArrayEquals(new int[][] {{1, 0, 0, 0}, {0, 0, 0, 1}, {0, 0, 0, 0}}, merged.dense("in"));
    assertArrayEquals(new int[] {4, 5, 6}, merged.biasAt("out", 2));
    QuenchException twice = assertThrows(QuenchException.class, () -> SpikeTrains.merge(java.util.List.of(
        InputFiles.read(spikes, IMAGE), InputFiles.read(spikes, IMAGE)), java.util.List.of("a.npy", "b.npy")));
    assertTrue(twice.getMessage().contains("'in' is given twice: by a.npy and by b.npy"), twice.getMessage());
  }

  @Test
  void analogSignalsAreReadFromFloatNpyAndCsvAndEncodedByName() throws IOException {
    Path npy = dir.resolve("sig.npy");
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {3, 2}, new double[] {0, 1, 0.5, 1, 1, 0}).write(npy);
    double[][] signal = InputFiles.readSignal(npy);
    assertArrayEquals(new double[] {0.5, 1}, signal[1]);
    Path csv = dir.resolve("sig.csv");
    Files.writeString(csv, "# a comment\n0,1\n0.5,1\n1,0\n");
    assertArrayEquals(signal, InputFiles.readSignal(csv));
    // latency:3: x = 1 spikes at the window's first step, x = 0 never.
    SpikeTrains t = SignalEncoding.parse("latency:3", 0).encode(signal, "in");
    assertEquals(1, t.dense("in")[0][1]);
    assertEquals(0, t.dense("in")[0][0] + t.dense("in")[1][0] + t.dense("in")[2][0]);
    assertEquals(4, SignalEncoding.parse("delta", 0).portWidth(2), "ON/OFF doubles the width");
    assertTrue(assertThrows(QuenchException.class, () -> SignalEncoding.parse("morse", 0)).getMessage()
        .contains("rate[:MAX_RATE], delta[:THRESHOLD] or latency[:WINDOW]"));
    assertTrue(assertThrows(QuenchException.class, () -> SignalEncoding.parse("rate:fast", 0)).getMessage()
        .contains("'fast' is not a number"));
  }

  @Test
  void denseCsvRowsAreSteps() throws IOException {
    Path f = dir.resolve("d.csv");
    Files.writeString(f, "# comment\n1,0,0,0\n\n0,0,0,3\n");
    assertArrayEquals(new int[][] {{1, 0, 0, 0}, {0, 0, 0, 3}}, InputFiles.read(f, IMAGE).dense("in"));
  }

  @Test
  void eventCsvIsRecognisedByItsHeader() throws IOException {
    Path f = dir.resolve("e.csv");
    Files.writeString(f, "step,index\n4,2\n0,1\n");
    SpikeTrains t = InputFiles.read(f, IMAGE);
    assertEquals(5, t.length());
    assertEquals(1, t.dense("in")[4][2]);
    assertEquals(1, t.dense("in")[0][1]);
    Path g = dir.resolve("g.csv");
    Files.writeString(g, "port,step,index,value\nin,1,3,9\n");
    assertEquals(9, InputFiles.read(g, IMAGE).dense("in")[1][3]);
  }

  @Test
  void malformedCsvNamesLineAndColumn() throws IOException {
    Path f = dir.resolve("bad.csv");
    Files.writeString(f, "1,0,0,0\n0,x,0,0\n");
    String m = error(f, null);
    assertTrue(m.contains("bad.csv") && m.contains("line 2") && m.contains("column 2")
        && m.contains("'x'"), m);
    Path header = dir.resolve("h.csv");
    Files.writeString(header, "time,neuron\n1,2\n");
    m = error(header, null);
    assertTrue(m.contains("line 1") && m.contains("step,index"), m);
    Path events = dir.resolve("ev.csv");
    Files.writeString(events, "step,index\n1,2\n3\n");
    m = error(events, null);
    assertTrue(m.contains("line 3") && m.contains("expected 2"), m);
    Path range = dir.resolve("r.csv");
    Files.writeString(range, "step,index\n1,4\n");
    assertTrue(error(range, null).contains("4 channels"));
    Path empty = dir.resolve("empty.csv");
    Files.writeString(empty, "");
    assertTrue(error(empty, null).contains("empty"));
  }

  @Test
  void hdf5HoldsADatasetPerPortAndABiasGroup() {
    Path f = dir.resolve("in.h5");
    try (WritableHdfFile h5 = HdfFile.write(f)) {
      h5.putDataset("in", new int[][] {{0, 1, 0, 0}, {0, 0, 0, 0}, {2, 0, 0, 0}});
      h5.putGroup("bias").putDataset("out", new int[][] {{1, 2, 3}, {4, 5, 6}});
    }
    SpikeTrains t = InputFiles.read(f, IMAGE);
    assertEquals(3, t.length());
    assertEquals(2, t.dense("in")[2][0]);
    assertArrayEquals(new int[] {4, 5, 6}, t.biasAt("out", 2));
  }

  @Test
  void hdf5ErrorsNameTheDataset() throws IOException {
    Path f = dir.resolve("bad.h5");
    try (WritableHdfFile h5 = HdfFile.write(f)) {
      h5.putDataset("in", new double[][] {{0.5, 1, 0, 0}});
    }
    String m = error(f, null);
    assertTrue(m.contains("/in") && m.contains("integers"), m);
    Path g = dir.resolve("unknown.h5");
    try (WritableHdfFile h5 = HdfFile.write(g)) {
      h5.putDataset("spikes", new int[][] {{0, 1, 0, 0}});
    }
    assertTrue(error(g, null).contains("no input port 'spikes'"));
    Path junk = dir.resolve("junk.h5");
    Files.writeString(junk, "not hdf5 at all");
    assertTrue(error(junk, null).contains("junk.h5"));
  }

  @Test
  void missingAndUnknownFilesAreNamed() throws IOException {
    assertTrue(error(dir.resolve("none.npy"), null).contains("does not exist"));
    Path txt = dir.resolve("x.txt");
    Files.writeString(txt, "1");
    assertTrue(error(txt, null).contains("unknown type"));
  }

  @Test
  void aLeadingSampleAxisGivesOneInputPerSampleAndAFileOfOneSampleIsShared() {
    Path spikes = dir.resolve("samples.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {2, 2, 4},
        new int[] {1, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 3, 0}).write(spikes);
    Path bias = dir.resolve("b.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {3}, new int[] {5, -6, 7}).write(bias);
    java.util.List<String> options = java.util.List.of(spikes.toString(), "bias:out=" + bias);
    java.util.List<SpikeTrains> samples = InputArguments.readSamples(options, null, 0, IMAGE);
    assertEquals(2, samples.size());
    assertArrayEquals(new int[][] {{1, 0, 0, 0}, {0, 0, 0, 1}}, samples.get(0).dense("in"));
    assertArrayEquals(new int[][] {{0, 2, 0, 0}, {0, 0, 3, 0}}, samples.get(1).dense("in"));
    for (SpikeTrains sample : samples) {
      assertArrayEquals(new int[] {5, -6, 7}, sample.biasAt("out", 1), "the one-sample bias is shared");
    }
    // Each sample is what quench run reads from its slice alone, with the same other files.
    Path slice = dir.resolve("second.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {2, 4}, new int[] {0, 2, 0, 0, 0, 0, 3, 0}).write(slice);
    SpikeTrains alone = InputArguments.read(java.util.List.of(slice.toString(), "bias:out=" + bias),
        null, 0, IMAGE);
    assertArrayEquals(alone.dense("in"), samples.get(1).dense("in"));
    assertEquals(alone.length(), samples.get(1).length());
    assertEquals(1, InputArguments.readSamples(java.util.List.of(slice.toString()), null, 0, IMAGE).size(),
        "a (steps, width) file is one sample");
  }

  @Test
  void samplesThatDisagreeAndTwoFilesForOnePortAreRefusedInOneLine() {
    Path three = dir.resolve("three.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {3, 2, 4}, new int[24]).write(three);
    Path two = dir.resolve("two.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {2, 2, 3}, new int[12]).write(two);
    QuenchException count = assertThrows(QuenchException.class, () -> InputArguments.readSamples(
        java.util.List.of(three.toString(), "bias:out=" + two), null, 0, IMAGE));
    assertEquals("--input " + three + " holds 3 samples but --input bias:out=" + two + " holds 2;"
        + " give every file the same number of samples along its first axis, or one sample for all",
        count.getMessage());
    QuenchException twice = assertThrows(QuenchException.class, () -> InputArguments.readSamples(
        java.util.List.of(three.toString(), "in=" + three), null, 0, IMAGE));
    assertEquals("--input " + three + " and --input in=" + three + " both feed port 'in': repeated"
        + " --input files make one input, as for quench run; put several samples in one .npy along"
        + " a leading axis, (samples, steps, width)", twice.getMessage());
  }

  @Test
  void analogSamplesAreEachEncodedAsTheirSliceAloneWithTheSeed() {
    double[] values = new double[2 * 5 * 4];
    for (int i = 0; i < values.length; i++) {
      values[i] = (i % 7) / 7.0;
    }
    Path signals = dir.resolve("signals.npy");
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {2, 5, 4}, values).write(signals);
    Path second = dir.resolve("second-signal.npy");
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {5, 4},
        java.util.Arrays.copyOfRange(values, 20, 40)).write(second);
    java.util.List<SpikeTrains> samples = InputArguments.readSamples(
        java.util.List.of(signals.toString()), "rate", 7, IMAGE);
    assertEquals(2, samples.size());
    SpikeTrains alone = InputArguments.read(java.util.List.of(second.toString()), "rate", 7, IMAGE);
    assertArrayEquals(alone.dense("in"), samples.get(1).dense("in"));
  }

  @Test
  void anEmptySampleAxisIsRefusedInOneLineWithAndWithoutAnEncoding() {
    Path spikes = dir.resolve("no-spike-samples.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {0, 2, 4}, new int[0]).write(spikes);
    Path signals = dir.resolve("no-signal-samples.npy");
    NpyArray.ofDoubles(NpyArray.DType.F8, new int[] {0, 5, 4}, new double[0]).write(signals);
    for (String encoding : new String[] {null, "rate"}) {
      Path file = encoding == null ? spikes : signals;
      QuenchException e = assertThrows(QuenchException.class, () -> InputArguments.readSamples(
          java.util.List.of(file.toString()), encoding, 7, IMAGE));
      assertEquals("input file " + file + " has shape [0, " + (encoding == null ? "2" : "5")
          + ", 4]: no samples along its first axis", e.getMessage());
    }
  }
}
