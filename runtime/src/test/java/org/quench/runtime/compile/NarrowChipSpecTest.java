package org.quench.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.ImageValidator;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.WeightRules;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/**
 * A chip with narrower widths than Loihi (10-bit threshold mantissa, 6-bit weight mantissa, 9-bit
 * bias mantissa), given as a spec file: the compiler quantizes into its ranges, the validator
 * judges images by them and the emulator runs what the validator accepts. Nobody but ChipSpec
 * knows the numbers.
 */
class NarrowChipSpecTest {
  @TempDir
  Path dir;

  private Path narrowSpecFile() throws IOException {
    String json = ChipSpec.loihi().toJson().replace("\"name\": \"loihi\"", "\"name\": \"narrow\"")
        .replaceFirst("\"thresholdMantBits\": \\d+", "\"thresholdMantBits\": 10")
        .replaceFirst("\"weightMantBits\": \\d+", "\"weightMantBits\": 6")
        .replaceFirst("\"biasMantBits\": \\d+", "\"biasMantBits\": 9");
    Path file = dir.resolve("narrow.json");
    Files.writeString(file, json);
    return file;
  }

  private static Path braille() {
    try {
      return Path.of(NarrowChipSpecTest.class.getResource("/nir/braille_noDelay_bias_zero.nir").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Stimulus input(int steps) {
    Stimulus.Builder s = Stimulus.builder(steps);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int t = 0; t < steps; t++) {
      for (int c = 0; c < 12; c++) {
        if (rnd.nextDouble() < 0.2) {
          s.spike(t, "input", c);
        }
      }
    }
    return s.build();
  }

  @Test
  void compilerValidatorAndEmulatorAgreeOnANarrowerSpec() throws IOException {
    Path specFile = narrowSpecFile();
    ChipSpec narrow = ChipSpec.load(specFile);
    assertEquals(new ChipSpec.Range(0, 1024), narrow.vthRange());
    assertEquals(new ChipSpec.Range(-256, 255), narrow.biasMantRange());
    assertEquals(new ChipSpec.Range(-64, 63), narrow.weightMantRange(SignMode.MIXED));

    NirImportOptions o = NirImportOptions.defaults()
        .withDiscretization(Discretization.Convention.FORWARD_EULER);
    Network net = Frontends.load(braille(), o);
    ChipImage image = Compiler.forNir(o).compile(net, narrow).image();
    ChipImage wide = Compiler.forNir(o).compile(net, ChipSpec.loihi()).image();

    // The compiler emits inside the narrow ranges: nothing is left for the chip to clip.
    int denseGroups = 0;
    for (Core c : image.getCoresList()) {
      for (ThresholdProfile t : c.getThresholdProfilesList()) {
        assertTrue(narrow.vthRange().contains(t.getVth()), "vth " + t.getVth());
      }
      for (int b : c.getBiasMantList()) {
        assertTrue(narrow.biasMantRange().contains(b), "bias_mant " + b);
      }
      for (AxonGroup g : c.getAxonGroupsList()) {
        if (g.getKind() == ConnectionKind.CONV) {
          continue;
        }
        denseGroups++;
        int[] w = g.getWeightList().stream().mapToInt(Integer::intValue).toArray();
        SignMode mode = WeightRules.resolve(g.getSignMode(), w, 0, w.length);
        assertTrue(narrow.numWeightBitsRange(mode).contains(g.getNumWeightBits()),
            g.getName() + " num_weight_bits " + g.getNumWeightBits());
        for (int x : w) {
          assertTrue(narrow.weightMantRange(mode).contains(x), g.getName() + " weight " + x);
        }
      }
    }
    assertTrue(denseGroups >= 2, "braille has input and recurrent projections");
    // ...and the narrowing mattered: on Loihi the same network uses thresholds above 1024.
    assertTrue(wide.getCores(0).getThresholdProfilesList().stream()
        .anyMatch(t -> t.getVth() > narrow.vthRange().max()), "Loihi's image uses wider thresholds");

    // The validator accepts the narrow image; the emulator of the narrow spec runs it.
    assertDoesNotThrow(() -> ImageValidator.validate(image, narrow));
    RunResult run;
    try (Device device = Devices.open("emu:" + specFile.toAbsolutePath())) {
      device.load(image);
      run = device.run(input(100));
    }
    int spikes = 0;
    for (int[] row : run.output(net.outputs().get(0)).dense(100)) {
      for (int s : row) {
        spikes += s;
      }
    }
    assertTrue(spikes > 0, "the narrow chip runs the network");

    // Loihi's image, relabelled for the narrow chip, is refused: by the validator, and by the
    // emulator's load, which asks the validator.
    ChipImage relabelled = wide.toBuilder().setHeader(wide.getHeader().toBuilder()
        .setSpecName(narrow.name()).setSpecHash(narrow.hash())).build();
    List<String> problems = ImageValidator.problems(relabelled, narrow);
    assertTrue(problems.stream().anyMatch(p -> p.contains("is outside 0..1024")), problems.toString());
    try (Device device = Devices.open("emu:" + specFile.toAbsolutePath())) {
      QuenchException refused = assertThrows(QuenchException.class, () -> device.load(relabelled));
      assertTrue(refused.getMessage().contains("is outside 0..1024"), refused.getMessage());
    }
  }
}
