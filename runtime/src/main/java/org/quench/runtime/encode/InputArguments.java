package org.quench.runtime.encode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
      refuseEncodingAlone(encoding);
      return null;
    }
    List<SpikeTrains> parts = new ArrayList<>();
    for (String option : options) {
      InputOption o = InputOption.parse(option);
      parts.add(o.encodes(encoding)
          ? encoded(InputFiles.readSignal(o.file()), o.file(), o.target(), encoding, seed, image)
          : InputFiles.read(o.file(), o.target(), image));
    }
    return parts.size() == 1 ? parts.get(0) : SpikeTrains.merge(parts, options);
  }

  /**
   * The same options read as several input samples (what {@code quench mismatch} runs each chip
   * on): each option's file is read as {@link #read} reads it, except that a .npy array with a
   * leading sample axis, {@code (samples, steps, ...)}, holds one input per sample
   * ({@link InputFiles#readSamples}; with {@code encoding}, a float array
   * {@code (samples, steps, channels)} is one signal per sample, each encoded with {@code seed}).
   * Sample k merges every file's sample k; a file of one sample gives it to every sample. So each
   * sample is exactly the input {@code quench run} would read from that sample's slices. Empty
   * when {@code options} is.
   */
  public static List<SpikeTrains> readSamples(List<String> options, String encoding, long seed,
      ChipImage image) {
    if (options == null || options.isEmpty()) {
      refuseEncodingAlone(encoding);
      return List.of();
    }
    List<List<SpikeTrains>> perOption = new ArrayList<>();
    int samples = 1;
    String many = null;
    for (String option : options) {
      InputOption o = InputOption.parse(option);
      List<SpikeTrains> read = new ArrayList<>();
      if (o.encodes(encoding)) {
        for (double[][] signal : InputFiles.readSignals(o.file())) {
          read.add(encoded(signal, o.file(), o.target(), encoding, seed, image));
        }
      } else {
        read.addAll(InputFiles.readSamples(o.file(), o.target(), image));
      }
      if (read.size() > 1) {
        if (many != null && read.size() != samples) {
          throw new QuenchException("--input " + many + " holds " + samples + " samples but --input "
              + option + " holds " + read.size() + "; give every file the same number of samples"
              + " along its first axis, or one sample for all");
        }
        samples = read.size();
        many = option;
      }
      perOption.add(read);
    }
    refuseTwoFilesForOneTarget(options, perOption);
    List<SpikeTrains> result = new ArrayList<>(samples);
    for (int k = 0; k < samples; k++) {
      List<SpikeTrains> parts = new ArrayList<>();
      for (List<SpikeTrains> read : perOption) {
        parts.add(read.get(read.size() == 1 ? 0 : k));
      }
      result.add(parts.size() == 1 ? parts.get(0) : SpikeTrains.merge(parts, options));
    }
    return result;
  }

  /**
   * Two files for one port or bias are one input given twice, never two samples: say where
   * several samples go instead.
   */
  private static void refuseTwoFilesForOneTarget(List<String> options, List<List<SpikeTrains>> read) {
    Map<String, String> from = new HashMap<>();
    for (int i = 0; i < options.size(); i++) {
      SpikeTrains first = read.get(i).get(0);
      List<String> targets = new ArrayList<>();
      first.ports().forEach(p -> targets.add("port '" + p + "'"));
      first.biasedPopulations().forEach(p -> targets.add("the bias of '" + p + "'"));
      for (String target : targets) {
        String previous = from.putIfAbsent(target, options.get(i));
        if (previous != null) {
          throw new QuenchException("--input " + previous + " and --input " + options.get(i)
              + " both feed " + target + ": repeated --input files make one input, as for quench"
              + " run; put several samples in one .npy along a leading axis, (samples, steps,"
              + " width)");
        }
      }
    }
  }

  private static void refuseEncodingAlone(String encoding) {
    if (encoding != null) {
      throw new QuenchException("--encode " + encoding + " needs an --input FILE holding the analog signal");
    }
  }

  /** One {@code --input [TARGET=]FILE} text: a prefix before '=' is a target unless it is a path. */
  private record InputOption(String target, Path file) {
    static InputOption parse(String option) {
      int eq = option.indexOf('=');
      if (eq > 0) {
        String head = option.substring(0, eq);
        if (!head.contains("/") && !head.contains("\\")) {
          return new InputOption(head, Path.of(option.substring(eq + 1)));
        }
      }
      return new InputOption(null, Path.of(option));
    }

    /** Whether {@code --encode} applies: analog files for ports; never biases or HDF5. */
    boolean encodes(String encoding) {
      return encoding != null && !(target != null && target.startsWith("bias:"))
          && !file.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(h5|hdf5)");
    }
  }

  private static SpikeTrains encoded(double[][] signal, Path file, String target, String encoding,
      long seed, ChipImage image) {
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
