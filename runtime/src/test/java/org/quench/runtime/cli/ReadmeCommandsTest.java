package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every {@code ./quench ...} line of README.md's shell blocks, in order, in process, so the
 * README cannot drift from the CLI. What the tour writes lives under {@code quench-out/}: such
 * arguments always go to a temporary directory (whatever a run of the tour in the checkout left
 * there), so later lines find what earlier ones wrote and leftovers never stand in for them. Other
 * paths that exist relative to the repository root (models, sample inputs) are read from there. Two kinds of line are changed on purpose: {@code serve} blocks
 * until stopped (BoardCommandsTest covers it), and {@code bench} runs on a network 50 times
 * smaller (same command, fewer neurons and steps; {@code --campaign} also fewer chips) and
 * {@code mismatch} on 20 chips, to keep the suite short.
 */
class ReadmeCommandsTest {
  // serve blocks until stopped; study runs for minutes and lives in the examples module (its own
  // tests cover it: examples/src/test, HeterogeneityCommandTest).
  private static final Set<String> NOT_RUN_HERE = Set.of("serve", "study");
  /** Where the README's commands write (ignored by git). */
  private static final String OUTPUT_FOLDER = "quench-out/";

  @TempDir
  Path work;

  private static Path repositoryRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve(".ci/run"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root above " + here);
  }

  /** The {@code ./quench} lines of fenced {@code sh} blocks, split into words. */
  static List<List<String>> readmeCommands(String readme) {
    List<List<String>> commands = new ArrayList<>();
    boolean inShell = false;
    for (String line : readme.split("\n")) {
      String t = line.strip();
      if (t.startsWith("```")) {
        inShell = !inShell && t.equals("```sh");
        continue;
      }
      if (inShell && t.startsWith("./quench ")) {
        String command = t.contains(" #") ? t.substring(0, t.indexOf(" #")) : t;
        List<String> words = new ArrayList<>(List.of(command.strip().split("\\s+")));
        words.remove(0);
        commands.add(words);
      }
    }
    return commands;
  }

  private String mapArgument(Path root, String arg) {
    if (arg.startsWith("-") || arg.contains("://") || arg.contains(":") || !arg.contains(".")
        || arg.matches("[0-9eE.+-]+")) {
      return arg;
    }
    if (arg.startsWith(OUTPUT_FOLDER)) {
      Path out = work.resolve(arg);
      try {
        Files.createDirectories(out.getParent());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return out.toString();
    }
    Path inRepo = root.resolve(arg);
    return Files.exists(inRepo) ? inRepo.toString() : work.resolve(arg).toString();
  }

  @Test
  void everyReadmeCommandRunsAndSucceeds() throws IOException {
    Path root = repositoryRoot();
    List<List<String>> commands = readmeCommands(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8));
    assertTrue(commands.size() >= 8, "README shows the tour: found only " + commands);
    List<String> ran = new ArrayList<>();
    for (List<String> words : commands) {
      if (words.isEmpty() || NOT_RUN_HERE.contains(words.get(0))) {
        continue;
      }
      List<String> args = new ArrayList<>();
      for (String w : words) {
        // A single-quoted word (a device URI with '&') reaches the command without its quotes.
        if (w.length() >= 2 && w.startsWith("'") && w.endsWith("'")) {
          w = w.substring(1, w.length() - 1);
        }
        args.add(mapArgument(root, w));
      }
      if (args.get(0).equals("demo") && !args.contains("--out")) {
        args.addAll(List.of("--out", work.resolve("quench-out").toString()));
      }
      if (args.get(0).equals("bench")) {
        for (String sized : List.of("--neurons", "--steps", "--warmup")) {
          int at = args.indexOf(sized);
          if (at >= 0) {
            args.subList(at, at + 2).clear();
          }
        }
        args.addAll(List.of("--neurons", "2000", "--steps", "20", "--warmup", "5"));
        if (args.contains("--campaign")) {
          args.addAll(List.of("--chips", "6", "--warmup-chips", "1"));
        }
      }
      if (args.get(0).equals("mismatch")) {
        // The same campaign on 20 chips; its output folder (no dot, so not mapped above) too.
        int at = args.indexOf("--chips");
        if (at >= 0) {
          args.set(at + 1, "20");
        }
        int out = args.indexOf("--out");
        if (out >= 0 && args.get(out + 1).startsWith(OUTPUT_FOLDER)) {
          args.set(out + 1, work.resolve(args.get(out + 1)).toString());
        }
      }
      InProcessRun o = InProcessRun.of(args.toArray(String[]::new));
      assertEquals(0, o.code(), "README command 'quench " + String.join(" ", words) + "' failed: " + o.err());
      ran.add(words.get(0));
    }
    assertTrue(ran.containsAll(List.of("demo", "compile", "inspect", "run", "verify")), "ran " + ran);
    assertTrue(Files.exists(work.resolve("quench-out/braille.qimg")), "the tour's compile wrote the image");
    assertTrue(Files.exists(work.resolve("quench-out/braille-raster.png")), "the tour's run wrote the plot");
    assertTrue(Files.exists(work.resolve("quench-out/braille-run.h5")), "the tour's run wrote the recording");
    assertTrue(Files.exists(work.resolve("quench-out/mismatch").resolve("histogram.png")), "the campaign wrote its plot");
  }

  @Test
  void everyFileTheReadmeWritesIsUnderTheIgnoredOutputFolder() throws IOException {
    Path root = repositoryRoot();
    assertTrue(Files.readString(root.resolve(".gitignore")).lines().anyMatch(l -> l.strip().equals("quench-out/")),
        "quench-out/ is ignored by git");
    for (List<String> words : readmeCommands(Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8))) {
      for (int i = 0; i + 1 < words.size(); i++) {
        String option = words.get(i);
        if (Set.of("-o", "--output", "--report", "--record", "--plot", "--out").contains(option)
            && !words.get(0).equals("lava")) {
          assertTrue(words.get(i + 1).startsWith(OUTPUT_FOLDER), "README writes " + words.get(i + 1)
              + " outside " + OUTPUT_FOLDER + ": quench " + String.join(" ", words));
        }
      }
    }
  }

  @Test
  void theParserFindsShellLinesOnly() {
    String text = "intro ./quench nope\n```sh\n./quench demo   # comment\nls\n```\n```java\n./quench no\n```\n";
    assertEquals(List.of(List.of("demo")), readmeCommands(text));
  }
}
