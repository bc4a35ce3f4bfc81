package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.io.NpyArray;

/**
 * {@code quench compile} on a lava-dl netx file: {@code --sample-steps} turns on lava-dl's
 * periodic reset between samples and {@code --input-message-bits} makes the input port graded
 * (docs/model-formats.md#lava-dl-netx). Checked against lava-dl's own tiny.net recording through
 * the command line alone: compile, then run, then compare every output spike.
 */
class NetxCompileOptionsTest {
  @TempDir
  Path dir;

  private Path copy(String resource, String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return file;
  }

  private static void assertOneLine(InProcessRun o, String expected) {
    assertEquals(1, o.code(), o.err());
    assertEquals(1, o.errLines(), o.err());
    assertTrue(o.err().contains(expected), () -> "expected '" + expected + "' in: " + o.err());
  }

  /** tiny.net's input bias (stored (W, H, C)) as one value per input neuron, (C, H, W) order. */
  private Path tinyBias() throws IOException {
    int[] stored = NpyArray.read(copy("/golden/lavadl-tinynet/input_bias.npy", "raw_bias.npy"))
        .toInts();
    int[] bias = new int[3 * 16 * 16];
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 16; y++) {
        for (int c = 0; c < 3; c++) {
          bias[(c * 16 + y) * 16 + x] = stored[(x * 16 + y) * 3 + c];
        }
      }
    }
    Path file = dir.resolve("bias.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {bias.length}, bias).write(file);
    return file;
  }

  /** Compiles tiny.net with {@code extra} options, runs 20 steps on its bias, returns layer2's spikes. */
  private int[] tinyOutput(String name, String... extra) throws IOException {
    Path model = dir.resolve("tiny.net");
    if (!Files.exists(model)) {
      copy("/golden/lavadl-tinynet/tiny.net", "tiny.net");
    }
    Path image = dir.resolve(name + ".qimg");
    String[] args = new String[3 + extra.length + 1];
    args[0] = "compile";
    args[1] = model.toString();
    System.arraycopy(extra, 0, args, 2, extra.length);
    args[2 + extra.length] = "-o";
    args[3 + extra.length] = image.toString();
    InProcessRun compiled = InProcessRun.of(args);
    assertEquals(0, compiled.code(), compiled.err());
    Path record = dir.resolve(name + "-rec");
    InProcessRun ran = InProcessRun.of("run", image.toString(), "--input", "bias:layer0=" + tinyBias(),
        "--steps", "20", "--probe", "spikes:layer2", "--record", record.toString());
    assertEquals(0, ran.code(), ran.err());
    NpyArray spikes = NpyArray.read(record.resolve("layer2.spikes.npy"));
    assertArrayEquals(new int[] {20, 36}, spikes.shape());
    return spikes.toInts();
  }

  @Test
  void sampleStepsReproduceLavaDlsTinyNetFromTheCommandLine() throws IOException {
    int[] expected = NpyArray.read(copy("/golden/lavadl-tinynet/output.npy", "output.npy")).toInts();
    int[] reset = tinyOutput("reset", "--sample-steps", "17");
    int[] plain = tinyOutput("plain");
    // Steps 3..17 (1-based) are columns 1..15 of lava-dl's (1, 36, 1, 1, 16) recording.
    int agreeReset = 0;
    int agreePlain = 0;
    int lavaSpikes = 0;
    for (int k = 0; k < 15; k++) {
      for (int i = 0; i < 36; i++) {
        int want = expected[i * 16 + 1 + k];
        lavaSpikes += want;
        agreeReset += reset[(2 + k) * 36 + i] == want ? 1 : 0;
        agreePlain += plain[(2 + k) * 36 + i] == want ? 1 : 0;
      }
    }
    assertEquals(92, lavaSpikes);
    assertEquals(15 * 36, agreeReset, "with --sample-steps 17 every value agrees");
    assertNotEquals(15 * 36, agreePlain, "without the reset lava-dl's run is not reproduced");
    ChipImage image = ChipImages.read(dir.resolve("reset.qimg"));
    assertEquals("17", image.getHeader().getOptionsMap().get("sampleSteps"));
    var profile = image.getCores(0).getDecayProfiles(0);
    assertEquals(17, profile.getResetInterval());

    // verify reads the option back from the image header: the reference resets as the chip does
    // (without it the reference would run on through the sample boundary and disagree).
    InProcessRun verified = InProcessRun.of("verify", dir.resolve("reset.qimg").toString(),
        "--model", dir.resolve("tiny.net").toString(), "--input", "bias:layer0=" + tinyBias(),
        "--steps", "20", "--json");
    assertEquals(0, verified.code(), verified.err());
    assertEquals(3, verified.out().split("\"agreement\": 1.0,", -1).length - 1, verified.out());
    // ...and verify on the model compiles and reads it with the option alike.
    InProcessRun fromModel = InProcessRun.of("verify", dir.resolve("tiny.net").toString(),
        "--sample-steps", "17", "--input", "bias:layer0=" + tinyBias(), "--steps", "20", "--json");
    assertEquals(0, fromModel.code(), fromModel.err());
    assertEquals(3, fromModel.out().split("\"agreement\": 1.0,", -1).length - 1, fromModel.out());
  }

  @Test
  void inputMessageBitsMakeTheInputPortGraded() throws IOException {
    Path model = copy("/golden/netx-random-1001/random.net", "random.net");
    Path image = dir.resolve("graded.qimg");
    InProcessRun o = InProcessRun.of("compile", model.toString(), "--input-message-bits", "8",
        "-o", image.toString());
    assertEquals(0, o.code(), o.err());
    ChipImage loaded = ChipImages.read(image);
    assertEquals("8", loaded.getHeader().getOptionsMap().get("inputMessageBits"));
    int graded = 0;
    for (var core : loaded.getCoresList()) {
      for (AxonGroup g : core.getAxonGroupsList()) {
        if (g.getName().equals("layer0.input")) {
          assertEquals(8, g.getNumMessageBits());
          graded++;
        }
      }
    }
    assertTrue(graded > 0, "the input port's group is in the image");
  }

  @Test
  void badValuesAndMisplacedOptionsGiveOneLine() throws IOException {
    Path model = copy("/golden/netx-random-1001/random.net", "random.net");
    String out = dir.resolve("x.qimg").toString();
    assertOneLine(InProcessRun.of("compile", model.toString(), "--sample-steps", "0", "-o", out),
        "quench: --sample-steps must be at least 1 step, got 0");
    assertOneLine(InProcessRun.of("compile", model.toString(), "--input-message-bits", "25", "-o", out),
        "quench: --input-message-bits 25 is outside 0..24 (0 = binary spikes; maxMessageBits of chip"
            + " 'loihi')");
    assertOneLine(InProcessRun.of("compile", model.toString(), "--input-message-bits", "-1", "-o", out),
        "--input-message-bits -1 is outside 0..24");
    Path nir = copy("/nir/braille_noDelay_bias_zero.nir", "braille.nir");
    assertOneLine(InProcessRun.of("compile", nir.toString(), "--sample-steps", "100", "-o", out),
        "quench: --sample-steps applies to lava-dl netx models; braille.nir is NIR (drop the option)");
    assertOneLine(InProcessRun.of("compile", nir.toString(), "--input-message-bits", "4", "-o", out),
        "--input-message-bits applies to lava-dl netx models");
    // A chip that computes differently from Loihi cannot take a netx network.
    Path spec = dir.resolve("narrow.json");
    Files.writeString(spec, ChipSpec.loihi().toJson().replace("\"name\": \"loihi\"",
        "\"name\": \"narrow\"").replaceFirst("\"weightMantBits\": \\d+", "\"weightMantBits\": 6"));
    assertOneLine(InProcessRun.of("compile", model.toString(), "--chip", spec.toString(), "-o", out),
        "quench: random.net: a lava-dl netx network holds integers for Loihi's arithmetic, and chip"
            + " 'narrow' computes differently (weightMantBits 6 (loihi: 8))");
    assertTrue(Files.notExists(Path.of(out)), "nothing is written on failure");
  }
}
