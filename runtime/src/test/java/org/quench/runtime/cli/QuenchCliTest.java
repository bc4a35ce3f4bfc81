package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.bench.SyntheticNetwork;
import picocli.CommandLine;

class QuenchCliTest {
  @TempDir
  Path dir;

  private Path smallImage() {
    ChipImage image = SyntheticNetwork.build(new SyntheticNetwork.Shape(300, 8, 0, 5), ChipSpec.loihi()).image();
    Path file = dir.resolve("small.qimg");
    ChipImages.write(image, file);
    return file;
  }

  private static void assertOneLineError(InProcessRun o, int expectedCode) {
    assertEquals(expectedCode, o.code(), o.err());
    assertEquals(1, o.errLines(), "exactly one line on stderr: " + o.err());
    assertTrue(o.err().startsWith("quench: "), o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    assertFalse(o.err().contains("Exception"), "no exception class names: " + o.err());
  }

  @Test
  void versionComesFromTheFilteredBuildProperties() {
    InProcessRun o = InProcessRun.of("--version");
    assertEquals(0, o.code());
    String first = o.out().lines().findFirst().orElseThrow();
    assertTrue(first.matches("quench \\d+\\.\\d+\\.\\d+.*"), first);
    assertFalse(first.contains("${"), "version placeholder was not filtered: " + first);
    assertEquals("quench " + QuenchCli.version(), first);
  }

  @Test
  void helpListsTheCommandsAndExamples() {
    InProcessRun o = InProcessRun.of("--help");
    assertEquals(0, o.code());
    assertTrue(o.out().contains("inspect"), o.out());
    assertTrue(o.out().contains("bench"), o.out());
    assertTrue(o.out().contains("Examples:"), o.out());
    assertEquals("", o.err());
  }

  @Test
  void everyCommandsHelpHasAnExampleSection() {
    Map<String, CommandLine> commands = new CommandLine(new QuenchCli()).getSubcommands();
    assertFalse(commands.isEmpty());
    for (String name : commands.keySet()) {
      InProcessRun o = InProcessRun.of(name, "--help");
      assertEquals(0, o.code(), name);
      assertTrue(o.out().contains("Examples:"), name + " --help has no examples:\n" + o.out());
      assertTrue(o.out().contains("quench " + name), name + " examples do not use the command");
    }
  }

  @Test
  void helpExamplesAreNeverWrappedMidWord() {
    Map<String, CommandLine> commands = new CommandLine(new QuenchCli()).getSubcommands();
    for (Map.Entry<String, CommandLine> c : commands.entrySet()) {
      InProcessRun o = InProcessRun.of(c.getKey(), "--help");
      List<String> lines = o.out().lines().toList();
      for (String example : c.getValue().getCommandSpec().usageMessage().footer()) {
        if (!example.isBlank()) {
          assertTrue(lines.contains(example.replace("%%", "%")), c.getKey() + " --help breaks the line '"
              + example + "':\n" + o.out());
        }
      }
    }
  }

  @Test
  void noCommandIsAUsageError() {
    assertOneLineError(InProcessRun.of(), QuenchCli.EXIT_USAGE);
  }

  @Test
  void unknownCommandIsAUsageErrorInOneLine() {
    InProcessRun o = InProcessRun.of("frobnicate");
    assertOneLineError(o, QuenchCli.EXIT_USAGE);
    assertTrue(o.err().contains("frobnicate"), o.err());
  }

  @Test
  void malformedOptionValueIsAUsageError() {
    InProcessRun o = InProcessRun.of("bench", "--steps", "many");
    assertOneLineError(o, QuenchCli.EXIT_USAGE);
    assertTrue(o.err().contains("--steps"), o.err());
  }

  @Test
  void aRenamedOptionSaysWhatItIsCalledNow() {
    InProcessRun o = InProcessRun.of("mismatch", "model.qimg", "--samples", "5");
    assertOneLineError(o, QuenchCli.EXIT_USAGE);
    assertTrue(o.err().contains("'--samples' was renamed") && o.err().contains("--random-samples"), o.err());
    InProcessRun rate = InProcessRun.of("mismatch", "model.qimg", "--rate", "0.1");
    assertOneLineError(rate, QuenchCli.EXIT_USAGE);
    assertTrue(rate.err().contains("--random-rate"), rate.err());
  }

  @Test
  void aMistypedOptionGetsASuggestion() {
    InProcessRun o = InProcessRun.of("bench", "--neuron", "5");
    assertOneLineError(o, QuenchCli.EXIT_USAGE);
    assertTrue(o.err().contains("did you mean") && o.err().contains("--neurons"), o.err());
  }

  @Test
  void inspectSummarizesAnImage() {
    Path file = smallImage();
    InProcessRun o = InProcessRun.of("inspect", file.toString());
    assertEquals(0, o.code(), o.err());
    assertEquals("", o.err());
    assertTrue(o.out().contains("loihi"), o.out());
  }

  @Test
  void inspectJsonIsTheWholeImage() {
    Path file = smallImage();
    ChipImage image = ChipImages.read(file);
    InProcessRun o = InProcessRun.of("inspect", file.toString(), "--json");
    assertEquals(0, o.code(), o.err());
    JsonObject json = JsonParser.parseString(o.out()).getAsJsonObject();
    assertEquals("loihi", json.getAsJsonObject("header").get("specName").getAsString());
    assertEquals(image.getCoresCount(), json.getAsJsonArray("cores").size());
    assertEquals(image, ChipImages.fromJson(o.out(), "inspect output"));
  }

  @Test
  void inspectOfAMissingFileFailsInOneLine() {
    InProcessRun o = InProcessRun.of("inspect", dir.resolve("absent.qimg").toString());
    assertOneLineError(o, QuenchCli.EXIT_FAILURE);
    assertTrue(o.err().contains("absent.qimg"), o.err());
    assertEquals("", o.out());
  }

  @Test
  void inspectOfAGarbageFileFailsInOneLine() throws Exception {
    Path garbage = dir.resolve("garbage.qimg");
    Files.write(garbage, new byte[] {'Q', 'I', 'M', 'G', 7, 7, 7, 1, 2, 3});
    InProcessRun o = InProcessRun.of("inspect", garbage.toString());
    assertOneLineError(o, QuenchCli.EXIT_FAILURE);
    assertTrue(o.err().contains("garbage.qimg"), o.err());
  }

  @Test
  void debugAddsTheStackTrace() throws Exception {
    Path garbage = dir.resolve("garbage.qimg");
    Files.writeString(garbage, "not an image");
    InProcessRun o = InProcessRun.of("inspect", "--debug", garbage.toString());
    assertEquals(QuenchCli.EXIT_FAILURE, o.code());
    assertTrue(o.err().startsWith("quench: "), o.err());
    assertTrue(o.err().contains("\tat "), "stack trace expected with --debug: " + o.err());
  }

  @Test
  void benchJsonReportsEveryFigure() {
    InProcessRun o = InProcessRun.of("bench", "--neurons", "2000", "--steps", "20", "--warmup", "5", "--threads", "2",
        "--json", "--quiet");
    assertEquals(0, o.code(), o.err());
    JsonObject json = JsonParser.parseString(o.out()).getAsJsonObject();
    for (String field : new String[] {"neuronUpdatesPerSecond", "synapticEventsPerSecond", "stepsPerSecond",
        "spikesPerStep", "spikeFraction", "bytesPerSynapse", "buildSeconds", "loadSeconds", "heapUsedBytes",
        "heapMaxBytes", "targets"}) {
      assertTrue(json.has(field), "missing " + field + " in " + o.out());
    }
    assertEquals(2000, json.get("neurons").getAsInt());
    assertEquals(20, json.get("steps").getAsInt());
    assertEquals(3, json.getAsJsonArray("targets").size());
    // The goals were set for 100,000 neurons: a 2,000-neuron run is not judged against them.
    for (var t : json.getAsJsonArray("targets")) {
      assertFalse(t.getAsJsonObject().get("judged").getAsBoolean(), t.toString());
      JsonObject target = t.getAsJsonObject();
      assertTrue(!target.has("pass") || target.get("pass").isJsonNull(), t.toString());
      assertTrue(target.get("notJudged").getAsString().contains("2,000"), t.toString());
    }
    double fraction = json.get("spikeFraction").getAsDouble();
    assertTrue(fraction > 0 && fraction < 1, "spike fraction " + fraction);
    assertTrue(json.get("neuronUpdatesPerSecond").getAsDouble() > 0);
  }

  @Test
  void benchRepeatReportsTheMedianWindowAndEveryRate() {
    InProcessRun o = InProcessRun.of("bench", "--neurons", "2000", "--steps", "10", "--warmup", "2", "--repeat", "3",
        "--json", "--quiet");
    assertEquals(0, o.code(), o.err());
    JsonObject json = JsonParser.parseString(o.out()).getAsJsonObject();
    assertEquals(3, json.get("windows").getAsInt());
    var rates = json.getAsJsonArray("windowNeuronUpdatesPerSecond");
    assertEquals(3, rates.size());
    double[] sorted = new double[3];
    for (int i = 0; i < 3; i++) {
      sorted[i] = rates.get(i).getAsDouble();
    }
    java.util.Arrays.sort(sorted);
    // The reported window is the median one, and its counters are one window's, not the sum.
    assertEquals(sorted[1], json.get("neuronUpdatesPerSecond").getAsDouble(), 1e-6 * sorted[1]);
    assertEquals(10, json.get("steps").getAsInt());

    InProcessRun text = InProcessRun.of("bench", "--neurons", "2000", "--steps", "10", "--warmup", "2", "--repeat", "2",
        "--quiet");
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("windows     2 of 10 steps"), text.out());

    InProcessRun bad = InProcessRun.of("bench", "--repeat", "0", "--quiet");
    assertOneLineError(bad, QuenchCli.EXIT_FAILURE);
    assertTrue(bad.err().contains("--repeat"), bad.err());
  }

  @Test
  void benchRejectsANonsensicalShapeInOneLine() {
    InProcessRun o = InProcessRun.of("bench", "--neurons", "0", "--quiet");
    assertOneLineError(o, QuenchCli.EXIT_FAILURE);
    assertTrue(o.err().contains("neuron"), o.err());
  }
}
