package org.quench.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.InputArguments;
import org.quench.runtime.encode.SpikeTrains;
import picocli.CommandLine.Option;

/**
 * The input options {@code run}, {@code verify} and {@code mismatch} share, read one way:
 * repeatable {@code --input [TARGET=]FILE} (docs/inputs.md), {@code --encode} for analog signals
 * and the input's seed ({@code --seed}, also {@code --input-seed}) of a rate encoding and of the
 * random input a command makes when no file is given. It seeds inputs only, never which chip a
 * device or campaign is. A picocli mixin: {@code @Mixin InputOptions input;}.
 */
final class InputOptions {
  @Option(names = "--input", paramLabel = "[TARGET=]FILE",
      description = "Input spikes, payloads or biases (.npy, .csv, .h5, events); repeatable, e.g. a"
          + " port's spikes and a population's bias from separate files.")
  List<String> files = new ArrayList<>();

  @Option(names = "--encode", paramLabel = "rate|delta|latency[:P]",
      description = "Encode analog --input signals (floats, (steps, channels)) into spikes:"
          + " rate[:MAX_RATE], delta[:THRESHOLD], latency[:WINDOW].")
  String encode;

  @Option(names = {"--seed", "--input-seed"}, paramLabel = "N", defaultValue = "1",
      description = "Seed of the input: of --encode rate and of random input (default:"
          + " ${DEFAULT-VALUE}); never of a chip's deviations.")
  long seed;

  /** The merged input for {@code image}, or null when no --input was given. */
  SpikeTrains read(ChipImage image) {
    return InputArguments.read(files, encode, seed, image);
  }

  /**
   * The input as samples (a leading sample axis in .npy files, {@link InputArguments#readSamples});
   * empty without --input.
   */
  List<SpikeTrains> readSamples(ChipImage image) {
    return InputArguments.readSamples(files, encode, seed, image);
  }

  /** What the input is, for summaries and recordings; null without --input. */
  String describe() {
    return files.isEmpty() ? null
        : String.join(" + ", files) + (encode == null ? "" : " (encoded " + encode + ")");
  }
}
