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
 * The NumPy reference point: {@code bench/numpy_baseline.py} steps a network with the same
 * statistics as {@link SyntheticNetwork} in plain vectorized NumPy and prints its rates as JSON.
 * This class finds the script (repository root from {@code -Dquench.home}, the working directory or
 * the jar's location) and runs it with {@code python3}.
 */
public final class NumpyBaseline {
  /** The script's path relative to the repository root. */
  public static final String SCRIPT = "bench/numpy_baseline.py";

  private NumpyBaseline() {}

  /** The script, if it can be found. */
  public static Optional<Path> locate() {
    List<Path> roots = new ArrayList<>();
    String home = System.getProperty("quench.home");
    if (home != null && !home.isBlank()) {
      roots.add(Path.of(home));
    }
    roots.add(Path.of("").toAbsolutePath());
    try {
      Path code = Path.of(NumpyBaseline.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      roots.add(code);
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Only a hint; the other roots still apply.
    }
    for (Path root : roots) {
      for (Path dir = root; dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve(SCRIPT);
        if (Files.isRegularFile(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** The command line that runs the baseline for this shape. */
  public static List<String> command(Path script, SyntheticNetwork.Shape shape, int warmup, int steps) {
    return List.of("python3", script.toString(), "--neurons", Integer.toString(shape.neurons()),
        "--synapses-per-neuron", Integer.toString(shape.synapsesPerNeuron()), "--steps",
        Integer.toString(steps), "--warmup", Integer.toString(warmup), "--seed", Long.toString(shape.seed()));
  }

  /** Runs the script and returns its JSON object; a QuenchException says why it could not. */
  public static JsonObject run(Path script, SyntheticNetwork.Shape shape, int warmup, int steps) {
    List<String> command = command(script, shape, warmup, steps);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      throw new QuenchException("cannot start python3 for the NumPy baseline (" + e.getMessage()
          + "); install python3 with numpy, or run: " + String.join(" ", command));
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
        throw new QuenchException("the NumPy baseline did not finish within an hour");
      }
      errReader.join();
      if (process.exitValue() != 0) {
        String[] lines = errText.toString().strip().split("\\R");
        throw new QuenchException("the NumPy baseline failed (exit " + process.exitValue() + "): "
            + lines[lines.length - 1] + "; command: " + String.join(" ", command));
      }
      String[] lines = out.strip().split("\\R");
      return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    } catch (IOException e) {
      throw new QuenchException("cannot read the NumPy baseline's output: " + e.getMessage());
    } catch (JsonParseException | IllegalStateException e) {
      throw new QuenchException("the NumPy baseline printed no JSON object on its last line");
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new QuenchException("interrupted while running the NumPy baseline");
    }
  }
}
