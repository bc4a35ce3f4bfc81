package org.quench.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.InputArguments;
import org.quench.runtime.encode.SpikeTrains;
import picocli.CommandLine.Option;

/**
 * The input options {@code run} and {@code verify} share, read one way: repeatable
 * {@code --input [TARGET=]FILE} (docs/inputs.md), {@code --encode} for analog signals and the
 * {@code --seed} of a rate encoding (verify's random input uses it too). A picocli mixin:
 * {@code @Mixin InputOptions input;}.
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

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of --encode rate and of random input (default: ${DEFAULT-VALUE}).")
  long seed;

  /** The merged input for {@code image}, or null when no --input was given. */
  SpikeTrains read(ChipImage image) {
    return InputArguments.read(files, encode, seed, image);
  }

  /** What the input is, for summaries and recordings; null without --input. */
  String describe() {
    return files.isEmpty() ? null
        : String.join(" + ", files) + (encode == null ? "" : " (encoded " + encode + ")");
  }
}
