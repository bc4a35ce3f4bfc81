package org.quench.runtime.encode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;

/**
 * The {@code --input [TARGET=]FILE} options of a command (repeatable), read for an image into one
 * input: each file feeds the port or population bias its prefix names (see {@link InputFiles}),
 * and with {@code --encode} a file that holds an analog signal (floats, .npy or .csv) is encoded
 * onto its port first. Files may not feed the same target twice.
 */
public final class InputArguments {
  private InputArguments() {}

  /**
   * The merged input, or null when {@code options} is empty.
   *
   * @param options the {@code --input} texts in command-line order
   * @param encoding the {@code --encode} text (see {@link SignalEncoding}) or null
   * @param seed seeds a rate encoding
   */
  public static SpikeTrains read(List<String> options, String encoding, long seed, ChipImage image) {
    if (options == null || options.isEmpty()) {
      if (encoding != null) {
        throw new QuenchException("--encode " + encoding + " needs an --input FILE holding the analog signal");
      }
      return null;
    }
    List<SpikeTrains> parts = new ArrayList<>();
    for (String option : options) {
      String target = null;
      String file = option;
      int eq = option.indexOf('=');
      if (eq > 0) {
        String head = option.substring(0, eq);
        if (!head.contains("/") && !head.contains("\\")) {
          target = head;
          file = option.substring(eq + 1);
        }
      }
      Path path = Path.of(file);
      if (encoding != null && !(target != null && target.startsWith("bias:"))
          && !path.getFileName().toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(h5|hdf5)")) {
        parts.add(encoded(path, target, encoding, seed, image));
      } else {
        parts.add(InputFiles.read(path, target, image));
      }
    }
    return parts.size() == 1 ? parts.get(0) : SpikeTrains.merge(parts, options);
  }

  private static SpikeTrains encoded(Path file, String target, String encoding, long seed, ChipImage image) {
    List<String> ports = new ArrayList<>();
    image.getInputsList().forEach(p -> ports.add(p.getName()));
    String port = target;
    if (port == null) {
      if (ports.size() != 1) {
        throw new QuenchException("--encode " + encoding + " --input " + file + ": the image has input"
            + " ports " + ports + "; say which one with PORT=" + file.getFileName());
      }
      port = ports.get(0);
    } else if (!ports.contains(port)) {
      throw new QuenchException("--input " + target + "=" + file + ": the image has no input port '"
          + target + "'; ports: " + ports);
    }
    double[][] signal = InputFiles.readSignal(file);
    AnalogEncoder encoder = SignalEncoding.parse(encoding, seed);
    String chosen = port;
    int width = image.getInputsList().stream().filter(p -> p.getName().equals(chosen)).findFirst()
        .orElseThrow().getWidth();
    int channels = signal.length == 0 ? 0 : signal[0].length;
    if (encoder.portWidth(channels) != width) {
      throw new QuenchException("--encode " + encoding + " --input " + file + ": the signal has shape ("
          + signal.length + ", " + channels + "), which encodes to " + encoder.portWidth(channels)
          + " channels, but input port '" + port + "' has " + width
          + (signal.length == width ? "; it looks transposed: save it as (steps, channels)" : ""));
    }
    return encoder.encode(signal, port);
  }
}
