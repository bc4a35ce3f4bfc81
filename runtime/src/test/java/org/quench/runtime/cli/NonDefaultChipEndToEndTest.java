package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.WeightRules;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;
import org.quench.runtime.io.NpyArray;

/**
 * A chip narrower than Loihi in every width the compiler quantizes into (20-bit state, 10-bit
 * decays, 13-bit thresholds, 6-bit weights, 10-bit biases), given as a spec file on the command
 * line: compile, inspect, run and verify all take it, the image holds only values inside its
 * ranges, and the emulator of that spec runs it. Nothing but the spec file knows the numbers.
 */
class NonDefaultChipEndToEndTest {
  @TempDir
  Path dir;

  private Path specFile() throws IOException {
    ChipSpec small = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("small-widths")
        .setStateBits(20).setDecayBits(10).setThresholdMantBits(13).setWeightMantBits(6)
        .setBiasMantBits(10).build());
    Path file = dir.resolve("small-widths.json");
    Files.writeString(file, small.toJson());
    return file;
  }

  private Path model() throws IOException {
    Path file = dir.resolve("braille.nir");
    try (InputStream in = getClass().getResourceAsStream("/nir/braille_noDelay_bias_zero.nir")) {
      Files.copy(in, file);
    }
    return file;
  }

  private Path input(int steps) throws IOException {
    SplittableRandom rnd = new SplittableRandom(5);
    int[] spikes = new int[steps * 12];
    for (int k = 0; k < spikes.length; k++) {
      spikes[k] = rnd.nextDouble() < 0.25 ? 1 : 0;
    }
    Path file = dir.resolve("input.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {steps, 12}, spikes).write(file);
    return file;
  }

  @Test
  void compileInspectRunAndVerifyOnASpecWithSmallerWidths() throws IOException {
    Path spec = specFile();
    ChipSpec chip = ChipSpec.load(spec);
    Path model = model();
    Path image = dir.resolve("braille.qimg");
    InProcessRun compiled = InProcessRun.of("compile", model.toString(), "--chip", spec.toString(),
        "--discretize", "euler", "-o", image.toString());
    assertEquals(0, compiled.code(), compiled.err());

    ChipImage loaded = ChipImages.read(image);
    assertEquals("small-widths", loaded.getHeader().getSpecName());
    assertEquals(List.of(), ImageValidator.problems(loaded, chip));
    int groups = 0;
    for (Core c : loaded.getCoresList()) {
      for (DecayProfile d : c.getDecayProfilesList()) {
        assertTrue(chip.decayURange().contains(d.getDu()), "du " + d.getDu());
        assertTrue(chip.decayVRange().contains(d.getDv()), "dv " + d.getDv());
      }
      for (ThresholdProfile t : c.getThresholdProfilesList()) {
        assertTrue(chip.vthRange().contains(t.getVth()), "vth " + t.getVth());
      }
      for (int b : c.getBiasMantList()) {
        assertTrue(chip.biasMantRange().contains(b), "bias_mant " + b);
      }
      for (int v : c.getVInitList()) {
        assertTrue(chip.voltageRange().contains(v), "v_init " + v);
      }
      for (AxonGroup g : c.getAxonGroupsList()) {
        int[] w = g.getWeightList().stream().mapToInt(Integer::intValue).toArray();
        SignMode mode = WeightRules.resolve(g.getSignMode(), w, 0, w.length);
        assertTrue(chip.numWeightBitsRange(mode).contains(g.getNumWeightBits()), g.getName());
        for (int x : w) {
          // The compiler quantizes into the 6-bit mantissa: nothing is left for the chip to clip.
          assertTrue(chip.weightMantRange(mode).contains(x), g.getName() + " weight " + x);
        }
        groups++;
      }
    }
    assertTrue(groups >= 2);

    InProcessRun inspected = InProcessRun.of("inspect", image.toString());
    assertEquals(0, inspected.code(), inspected.err());
    assertTrue(inspected.out().contains("small-widths"), inspected.out());

    String device = "emu:" + spec.toAbsolutePath();
    Path in = input(200);
    Path record = dir.resolve("rec");
    InProcessRun ran = InProcessRun.of("run", image.toString(), "--device", device, "--input",
        in.toString(), "--steps", "200", "--probe", "spikes:lif1.lif", "--probe", "v:lif1.lif",
        "--record", record.toString());
    assertEquals(0, ran.code(), ran.err());
    int[] spikes = NpyArray.read(record.resolve("lif1.lif.spikes.npy")).toInts();
    int[] voltage = NpyArray.read(record.resolve("lif1.lif.v.npy")).toInts();
    int total = 0;
    for (int s : spikes) {
      total += s;
    }
    assertTrue(total > 0, "the hidden layer spikes on the small chip");
    for (int v : voltage) {
      assertTrue(chip.voltageRange().contains(v), "v " + v + " stays in the 20-bit range");
    }

    // The Loihi emulator refuses the image: it was compiled for another chip.
    InProcessRun wrongChip = InProcessRun.of("run", image.toString(), "--steps", "10");
    assertEquals(1, wrongChip.code());
    assertTrue(wrongChip.err().contains("compiled for chip 'small-widths'"), wrongChip.err());

    InProcessRun verified = InProcessRun.of("verify", model.toString(), "--chip", spec.toString(),
        "--discretize", "euler", "--device", device, "--input", in.toString(), "--json");
    assertEquals(0, verified.code(), verified.err());
    assertTrue(verified.out().contains("\"population\": \"lif1.lif\""), verified.out());
  }
}
