package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quench demo} end to end, in process. */
class DemoCommandTest {
  @TempDir
  Path dir;

  private static RunCommandTest.Outcome demo(String... args) {
    return RunCommandTest.execute(DemoCommand.standalone(), args);
  }

  @Test
  void compilesRunsReportsAndWritesARaster() throws Exception {
    Path out = dir.resolve("demo-out");
    RunCommandTest.Outcome o = demo("--out", out.toString());
    assertEquals(0, o.code(), o.err());
    String text = o.out();
    assertTrue(text.matches("(?s).*compiled for loihi in \\d+ ms: [1-9]\\d* core\\(s\\), [1-9]\\d* decay "
        + "profile\\(s\\), [1-9]\\d* threshold profile\\(s\\).*"), text);
    assertTrue(text.startsWith("model: braille.nir"), text);
    assertTrue(text.matches("(?s).*quantization error: weights [0-9.e-]+ .*"), text);
    assertTrue(text.contains("float reference agreement: emu:loihi, 200 steps"), text);
    // The braille verification (runtime.verify) measured count correlations of 0.95..1.0 for both
    // layers; the demo must show them and they must be high on its own input too.
    for (String population : new String[] {"lif1.lif", "lif2"}) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  " + java.util.regex.Pattern
          .quote(population) + "\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\S+\\s+([0-9.]+)").matcher(text);
      assertTrue(m.find(), population + " row in: " + text);
      assertTrue(Double.parseDouble(m.group(1)) > 0.9, population + " correlation in: " + text);
    }
    assertTrue(text.contains("output lif2: argmax of spike counts"), text);
    // Every number is explained in one line, and the agreement below 100 % is said not to be a failure.
    assertTrue(text.contains("dt 0.0001 s = 0.1 ms per step (FORWARD_EULER discretization)"), text);
    for (String term : new String[] {"  ref rate / dev rate ", "  corr ", "  agree ", "  first difference ", "  argmax "}) {
      assertTrue(text.contains("\n" + term), term + " explained in: " + text);
    }
    assertTrue(text.contains("not a failure"), text);
    assertTrue(text.matches("(?s).*run: 200 steps on emu:loihi in [0-9.]+ s: \\d+ steps/s.*"), text);
    Path png = out.resolve("demo-raster.png");
    assertTrue(text.contains("raster plot: " + png.toAbsolutePath().normalize()), text);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(800, img.getWidth());
  }

  @Test
  void theSeedDecidesTheInputAndTheSameSeedGivesTheSameSpikes() {
    String a = demo("--out", dir.toString(), "--seed", "3", "--steps", "60").out();
    String b = demo("--out", dir.toString(), "--seed", "3", "--steps", "60").out();
    String c = demo("--out", dir.toString(), "--seed", "4", "--steps", "60").out();
    assertEquals(lines(a, "output "), lines(b, "output "));
    assertEquals(inputSpikes(a), inputSpikes(b));
    assertTrue(lines(a, "output ").contains("spikes"), a);
    assertTrue(inputSpikes(a) > 0, a);
    assertTrue(inputSpikes(a) != inputSpikes(c), "seeds 3 and 4 should draw different input");
  }

  private static String lines(String text, String prefix) {
    StringBuilder s = new StringBuilder();
    for (String line : text.split("\\R")) {
      if (line.startsWith(prefix)) {
        s.append(line).append('\n');
      }
    }
    return s.toString();
  }

  private static int inputSpikes(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) input spikes").matcher(text);
    assertTrue(m.find(), text);
    return Integer.parseInt(m.group(1));
  }

  @Test
  void badArgumentsFailWithOneLine() {
    demo("--steps", "0").assertOneLineError("--steps 0");
    RunCommandTest.Outcome o = RunCommandTest.execute(DemoCommand.standalone(), "--steps", "x");
    assertEquals(2, o.code());
    o.assertOneLine("--steps");
    demo("--device", "bogus:x").assertOneLineError("bogus");
  }
}
