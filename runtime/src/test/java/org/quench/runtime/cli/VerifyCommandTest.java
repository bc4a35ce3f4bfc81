package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.io.NpyArray;
import picocli.CommandLine;

class VerifyCommandTest {
  /** Output, error text and exit code of one invocation, with the CLI's one-line error policy. */
  private record Outcome(int exit, String out, String err) {}

  private static Outcome verify(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new VerifyCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    cli.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("error: " + ex.getMessage());
      line.getErr().flush();
      return 1;
    });
    int exit = cli.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }

  private static String resource(String path) {
    try {
      return Path.of(VerifyCommandTest.class.getResource(path).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final String BRAILLE = "/nir/braille_noDelay_bias_zero.nir";
  private static final String NETX = "/golden/netx-random-1001/";

  @Test
  void brailleWithRandomInputPrintsTheAgreementTable() {
    Outcome o = verify(resource(BRAILLE), "--steps", "60", "--seed", "3", "--discretize", "euler");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("lif1.lif") && o.out().contains("lif2"), o.out());
    assertTrue(o.out().contains("60 steps"), o.out());
    assertTrue(o.out().contains("output lif2: argmax"), o.out());
    assertTrue(o.out().contains("note: input: seeded random spikes on port 'input'")
        && o.out().contains("(seed 3)"), o.out());
  }

  @Test
  void jsonReportHasOneEntryPerPopulation() {
    Outcome o = verify(resource(BRAILLE), "--steps", "40", "--json", "--discretize", "euler");
    assertEquals(0, o.exit(), o.err());
    JsonObject json = JsonParser.parseString(o.out()).getAsJsonObject();
    assertEquals(40, json.get("steps").getAsInt());
    assertEquals("emu:loihi", json.get("device").getAsString());
    assertEquals(2, json.getAsJsonArray("populations").size());
  }

  @Test
  void spikeInputFromNpySetsTheStepsAndEvents(@TempDir Path dir) {
    int[] spikes = new int[20 * 12];
    for (int k = 0; k < 20; k++) {
      spikes[k * 12 + (k % 12)] = 1;
    }
    Path file = dir.resolve("in.npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {20, 12}, spikes).write(file);
    Outcome o = verify(resource(BRAILLE), "--input", file.toString(), "--discretize", "euler");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("20 steps, 20 input events"), o.out());
  }

  @Test
  void netxNetworkTakesItsBiasFromNpy() {
    Outcome o = verify(resource(NETX + "random.net"), "--input", resource(NETX + "input_bias.npy"),
        "--steps", "300");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("layer3") && o.out().contains("300 steps"), o.out());
  }

  @Test
  void netxNetworkWithoutInputGetsSeededRandomSpikes() {
    Outcome o = verify(resource(NETX + "random.net"), "--steps", "50", "--seed", "5");
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().contains("layer0"), o.out());
  }

  @Test
  void errorsAreOneLineAndExitOne(@TempDir Path dir) {
    Outcome missing = verify(dir.resolve("nope.nir").toString());
    assertEquals(1, missing.exit());
    assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nope.nir"),
        missing.err());
    assertEquals(1, missing.err().strip().lines().count(), missing.err());

    Outcome badDisc = verify(resource(BRAILLE), "--discretize", "rk4");
    assertEquals(1, badDisc.exit());
    assertTrue(badDisc.err().contains("rk4"), badDisc.err());

    Outcome badReset = verify(resource(BRAILLE), "--reset", "halfway");
    assertEquals(1, badReset.exit());
    assertTrue(badReset.err().contains("halfway"), badReset.err());

    Outcome badSteps = verify(resource(BRAILLE), "--steps", "0");
    assertEquals(1, badSteps.exit());
    assertTrue(badSteps.err().contains("--steps"), badSteps.err());

    Path wide = dir.resolve("wide.npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {5, 13}, new int[65]).write(wide);
    Outcome badWidth = verify(resource(BRAILLE), "--input", wide.toString());
    assertEquals(1, badWidth.exit());
    assertTrue(badWidth.err().contains("13 columns") && badWidth.err().contains("12"),
        badWidth.err());

    Outcome tooMany = verify(resource(BRAILLE), "--input", wide.toString(), "--steps", "9");
    assertEquals(1, tooMany.exit());
  }
}
