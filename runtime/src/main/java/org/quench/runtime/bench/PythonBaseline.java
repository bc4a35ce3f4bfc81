package org.quench.runtime.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.quench.hal.QuenchException;

/**
 * A Python peer of {@code quench bench}: a script under {@code bench/} that steps a network with
 * the same statistics as {@link SyntheticNetwork} and prints its rates as one JSON object.
 * {@link #NUMPY} is plain vectorized NumPy with the chip's integer arithmetic; {@link #BRIAN2} is
 * Brian2's cython target in floats (a speed peer only). This class finds a script (repository root
 * from {@code -Dquench.home}, the working directory or the jar's location) and runs it with the
 * first interpreter that has the script's packages: a script exits with status {@value
 * #MISSING_PACKAGE} when its package is not importable.
 */
public final class PythonBaseline {
  /** Exit status of a baseline script whose Python package is not installed. */
  public static final int MISSING_PACKAGE = 3;

  /** The NumPy model (bench/numpy_baseline.py). */
  public static final PythonBaseline NUMPY = new PythonBaseline("numpy", "bench/numpy_baseline.py",
      "python3 with numpy (apt-get install python3-numpy)");
  /** The Brian2 model (bench/brian2_baseline.py), optional. */
  public static final PythonBaseline BRIAN2 = new PythonBaseline("brian2", "bench/brian2_baseline.py",
      "Brian2 (apt-get install python3-brian)");

  /** Interpreters tried in order: the one on PATH, then Debian's (where apt puts python3-brian). */
  static final List<String> INTERPRETERS = List.of("python3", "/usr/bin/python3");

  private final String name;
  private final String script;
  private final String needs;

  private PythonBaseline(String name, String script, String needs) {
    this.name = name;
    this.script = script;
    this.needs = needs;
  }

  /** Short name printed in the bench report. */
  public String name() {
    return name;
  }

  /** The script's path relative to the repository root. */
  public String script() {
    return script;
  }

  /** What must be installed for the script to run. */
  public String needs() {
    return needs;
  }

  /** The script, if it can be found. */
  public Optional<Path> locate() {
    List<Path> roots = new ArrayList<>();
    String home = System.getProperty("quench.home");
    if (home != null && !home.isBlank()) {
      roots.add(Path.of(home));
    }
    roots.add(Path.of("").toAbsolutePath());
    try {
      Path code = Path.of(PythonBaseline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      roots.add(code);
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Only a hint; the other roots still apply.
    }
    for (Path root : roots) {
      for (Path dir = root; dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve(script);
        if (Files.isRegularFile(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** The command line that runs this baseline for {@code shape} with {@code python}. */
  public static List<String> command(String python, Path script, SyntheticNetwork.Shape shape, int warmup,
      int steps) {
    return List.of(python, script.toString(), "--neurons", Integer.toString(shape.neurons()),
        "--synapses-per-neuron", Integer.toString(shape.synapsesPerNeuron()), "--steps",
        Integer.toString(steps), "--warmup", Integer.toString(warmup), "--seed", Long.toString(shape.seed()));
  }

  /**
   * Runs the script with the first interpreter of {@link #INTERPRETERS} that has its package and
   * returns its JSON object, or empty when none has it; a QuenchException says why a run failed.
   */
  public Optional<JsonObject> run(Path scriptPath, SyntheticNetwork.Shape shape, int warmup, int steps) {
    for (String python : INTERPRETERS) {
      Optional<JsonObject> result = runWith(command(python, scriptPath, shape, warmup, steps));
      if (result.isPresent()) {
        return result;
      }
    }
    return Optional.empty();
  }

  private Optional<JsonObject> runWith(List<String> command) {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      return Optional.empty(); // this interpreter does not exist here
    }
    try {
      process.getOutputStream().close();
      // Read stderr on its own thread so a chatty script cannot block on a full pipe.
      StringBuilder errText = new StringBuilder();
      Thread errReader = new Thread(() -> {
        try {
          errText.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // The exit code tells what matters.
        }
      });
      errReader.start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(1, TimeUnit.HOURS)) {
        process.destroyForcibly();
        throw new QuenchException("the " + name + " baseline did not finish within an hour");
      }
      errReader.join();
      if (process.exitValue() == MISSING_PACKAGE) {
        return Optional.empty();
      }
      if (process.exitValue() != 0) {
        String[] lines = errText.toString().strip().split("\\R");
        throw new QuenchException("the " + name + " baseline failed (exit " + process.exitValue() + "): "
            + lines[lines.length - 1] + "; command: " + String.join(" ", command));
      }
      String[] lines = out.strip().split("\\R");
      return Optional.of(JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject());
    } catch (IOException e) {
      throw new QuenchException("cannot read the " + name + " baseline's output: " + e.getMessage());
    } catch (JsonParseException | IllegalStateException e) {
      throw new QuenchException("the " + name + " baseline printed no JSON object on its last line");
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new QuenchException("interrupted while running the " + name + " baseline");
    }
  }
}
