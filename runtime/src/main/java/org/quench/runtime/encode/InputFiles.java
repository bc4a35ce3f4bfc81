package org.quench.runtime.encode;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.io.NpyArray;

/**
 * Reads spike trains, graded payloads and per-step biases for an image's inputs from files.
 *
 * <p><b>Targets.</b> A file (or, for HDF5, each dataset) feeds either an input port (by name) or
 * the bias of a population, written {@code bias:POPULATION}. A single-matrix file (.npy, .csv)
 * goes to the target given; without one, to the image's only input port, else to the port named
 * like the file (e.g. {@code in.npy} feeds port {@code in}).
 *
 * <p><b>.npy</b>: a port takes shape {@code (steps, width)}, bool or integer; a non-zero entry is a
 * spike (1) or a graded payload (other values). A bias takes {@code (steps, size)} (one row per
 * step) or {@code (size,)} (constant).
 *
 * <p><b>.csv</b>, recognised by its first line:
 * <ul>
 *   <li>dense (no header, every field an integer): row {@code t} is step {@code t}, column
 *       {@code i} is channel (or neuron) {@code i}; the same meaning as a .npy matrix;</li>
 *   <li>events, header {@code step,index} or {@code step,index,value}: one event per line
 *       (value 1 when absent), any order, for one port;</li>
 *   <li>events for several ports, header {@code port,step,index[,value]}.</li>
 * </ul>
 * Blank lines and lines starting with {@code #} are skipped.
 *
 * <p><b>.h5 / .hdf5</b>: one dataset per input port at the root, named like the port, shape
 * {@code (steps, width)}; optional group {@code bias} with one dataset per population, shape
 * {@code (steps, size)} or {@code (size,)}. Integer or boolean types.
 *
 * <p>Every error is a {@link QuenchException} naming the file, the row or column (or dataset) and
 * what was expected.
 */
public final class InputFiles {
  private static final String BIAS = "bias:";

  private InputFiles() {}

  /** Reads {@code file} for {@code image}, choosing the target as described above. */
  public static SpikeTrains read(Path file, ChipImage image) {
    return read(file, null, image);
  }

  /**
   * Reads {@code file} for {@code image}.
   *
   * @param target an input port name, {@code bias:POPULATION}, or null to choose as described
   */
  public static SpikeTrains read(Path file, String target, ChipImage image) {
    if (!Files.isRegularFile(file)) {
      throw new QuenchException("input file " + file + " does not exist");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return matrix(file.toString(), resolve(file, target, image), image, readNpy(file));
    }
    if (name.endsWith(".csv")) {
      return readCsv(file, target, image);
    }
    if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
      if (target != null) {
        throw new QuenchException("input file " + file + ": an HDF5 input names its targets by "
            + "dataset; drop the '" + target + "=' prefix");
      }
      return readHdf5(file, image);
    }
    throw new QuenchException("input file " + file + " has an unknown type: use .npy, .csv, .h5 "
        + "or .hdf5");
  }

  /**
   * Reads {@code file} for {@code image} as one or more input samples. A .npy array with a leading
   * sample axis, {@code (samples, steps, width)} for a port or {@code (samples, steps, neurons)}
   * for a bias, is one input per sample, each {@code (steps, ...)} slice read as {@link #read}
   * reads a 2-D array; any other file is one sample.
   *
   * @param target an input port name, {@code bias:POPULATION}, or null to choose as {@link #read}
   */
  public static List<SpikeTrains> readSamples(Path file, String target, ChipImage image) {
    return perSample(file, () -> read(file, target, image),
        a -> matrix(file.toString(), resolve(file, target, image), image, rows(a, file)),
        a -> {
          refuseFloats(a, file);
          String chosen = resolve(file, target, image);
          int[] shape = a.shape();
          int[] values = a.toInts();
          return k -> matrix(file + " sample " + k, chosen, image,
              rows(values, k * shape[1] * shape[2], shape[1], shape[2]));
        });
  }

  /**
   * One input per sample: a .npy file of three axes gives one per index of its first axis, from
   * {@code sampler} (given the array once, it returns how to read sample k); a .npy file of
   * another shape is one input, from {@code matrix}; any other file one, from {@code otherFile}.
   */
  private static <T> List<T> perSample(Path file, Supplier<T> otherFile, Function<NpyArray, T> matrix,
      Function<NpyArray, IntFunction<T>> sampler) {
    if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")
        || !Files.isRegularFile(file)) {
      return List.of(otherFile.get());
    }
    NpyArray a = NpyArray.read(file);
    int[] shape = a.shape();
    if (shape.length != 3) {
      return List.of(matrix.apply(a));
    }
    IntFunction<T> sample = sampler.apply(a);
    if (shape[0] == 0) {
      throw new QuenchException("input file " + file + " has shape " + java.util.Arrays.toString(shape)
          + ": no samples along its first axis");
    }
    List<T> samples = new ArrayList<>(shape[0]);
    for (int k = 0; k < shape[0]; k++) {
      samples.add(sample.apply(k));
    }
    return samples;
  }

  /** The target for a single-matrix file. */
  private static String resolve(Path file, String target, ChipImage image) {
    List<String> ports = new ArrayList<>();
    image.getInputsList().forEach(p -> ports.add(p.getName()));
    if (target != null) {
      if (!target.startsWith(BIAS) && !ports.contains(target)) {
        throw new QuenchException("input file " + file + ": the image has no input port '" + target
            + "'; ports: " + ports + " (or bias:POPULATION)");
      }
      return target;
    }
    if (ports.size() == 1) {
      return ports.get(0);
    }
    String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
    if (ports.contains(stem)) {
      return stem;
    }
    if (ports.isEmpty()) {
      throw new QuenchException("input file " + file + ": the image has no input ports; drive a "
          + "population's bias with bias:POPULATION=" + file.getFileName());
    }
    throw new QuenchException("input file " + file + ": the image has input ports " + ports
        + "; say which one with PORT=" + file.getFileName() + " or name the file after the port");
  }

  /** A (steps, width) matrix for {@code target}; {@code where} names it in errors. */
  private static SpikeTrains matrix(String where, String target, ChipImage image, int[][] rows) {
    SpikeTrains.Builder b = SpikeTrains.builder(rows.length);
    add(b, where, target, image, rows, false);
    return b.build();
  }

  /** Adds a (steps, width) matrix; {@code constant} marks a 1-D bias (one row for all steps). */
  private static void add(SpikeTrains.Builder b, String where, String target, ChipImage image,
      int[][] rows, boolean constant) {
    if (target.startsWith(BIAS)) {
      String population = target.substring(BIAS.length());
      int size = populationSize(image, population, where);
      if (!constant && rows.length > 0 && rows[0].length != size) {
        throw new QuenchException(where + ": an array of shape (" + rows.length + ", " + rows[0].length
            + ") read as (steps, neurons) has " + rows[0].length + " columns but population '"
            + population + "' has " + size + " neurons" + (rows.length == size
                ? "; it looks transposed: save it as (steps, neurons), e.g. numpy's x.T" : ""));
      }
      for (int t = 0; t < rows.length; t++) {
        if (rows[t].length != size) {
          throw new QuenchException(where + ": " + (constant ? "the bias" : "row " + (t + 1))
              + " has " + rows[t].length + " values but population '" + population + "' has "
              + size + " neurons");
        }
      }
      if (rows.length > 0) {
        b.biasPerStep(population, rows);
      }
      return;
    }
    if (constant) {
      throw new QuenchException(where + ": input port '" + target + "' needs a (steps, width) "
          + "matrix, not a 1-D array");
    }
    int width = portWidth(image, target, where);
    if (rows.length > 0 && rows[0].length != width) {
      throw new QuenchException(where + ": an array of shape (" + rows.length + ", " + rows[0].length
          + ") read as (steps, width) has " + rows[0].length + " columns but input port '" + target
          + "' has " + width + " channels" + (rows.length == width
              ? "; it looks transposed: save it as (steps, width), e.g. numpy's x.T" : ""));
    }
    b.port(target, width);
    for (int t = 0; t < rows.length; t++) {
      if (rows[t].length != width) {
        throw new QuenchException(where + ": row " + (t + 1) + " has " + rows[t].length
            + " columns but input port '" + target + "' has " + width + " channels");
      }
      for (int i = 0; i < width; i++) {
        if (rows[t][i] != 0) {
          b.payload(t, target, i, rows[t][i]);
        }
      }
    }
  }

  private static int portWidth(ChipImage image, String port, String where) {
    for (var p : image.getInputsList()) {
      if (p.getName().equals(port)) {
        return p.getWidth();
      }
    }
    List<String> ports = new ArrayList<>();
    image.getInputsList().forEach(p -> ports.add(p.getName()));
    throw new QuenchException(where + ": the image has no input port '" + port + "'; ports: "
        + ports);
  }

  private static int populationSize(ChipImage image, String population, String where) {
    for (var s : image.getSymbolsList()) {
      if (s.getPopulation().equals(population)) {
        return s.getSize();
      }
    }
    List<String> names = new ArrayList<>();
    image.getSymbolsList().forEach(s -> names.add(s.getPopulation()));
    throw new QuenchException(where + ": the image has no population '" + population
        + "' to bias; populations: " + names);
  }

  /**
   * An analog signal, {@code [step][channel]}, from a .npy array (any numeric type, shape
   * {@code (steps, channels)}) or a dense .csv of numbers, for an {@link AnalogEncoder}.
   */
  public static double[][] readSignal(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new QuenchException("input file " + file + " does not exist");
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".npy")) {
      return signal(NpyArray.read(file), file);
    }
    if (name.endsWith(".csv")) {
      List<double[]> rows = new ArrayList<>();
      int line = 0;
      try {
        for (String text : Files.readAllLines(file)) {
          line++;
          String t = text.strip();
          if (t.isEmpty() || t.startsWith("#")) {
            continue;
          }
          String[] f = t.split(",");
          double[] row = new double[f.length];
          for (int i = 0; i < f.length; i++) {
            row[i] = Double.parseDouble(f[i].strip());
          }
          rows.add(row);
        }
      } catch (NumberFormatException e) {
        throw new QuenchException("input file " + file + " line " + line + ": not a number ("
            + e.getMessage() + "); an analog signal .csv has one row of numbers per step");
      } catch (java.io.IOException e) {
        throw new QuenchException("cannot read input file " + file + ": " + e.getMessage());
      }
      double[][] signal = rows.toArray(double[][]::new);
      AnalogEncoder.checkSignal(signal);
      return signal;
    }
    throw new QuenchException("input file " + file + ": --encode reads an analog signal from .npy or"
        + " .csv (steps, channels)");
  }

  /**
   * Analog signals, one per sample, for an {@link AnalogEncoder}: a .npy of shape
   * {@code (samples, steps, channels)} gives one per sample; anything else is the one signal
   * {@link #readSignal} reads.
   */
  public static List<double[][]> readSignals(Path file) {
    return perSample(file, () -> readSignal(file), a -> signal(a, file), a -> {
      int[] shape = a.shape();
      double[] values = a.toDoubles();
      return k -> signal(values, k * shape[1] * shape[2], shape[1], shape[2]);
    });
  }

  /** A .npy analog signal, (steps, channels), already read from {@code file}. */
  private static double[][] signal(NpyArray a, Path file) {
    int[] shape = a.shape();
    if (shape.length != 2) {
      throw new QuenchException("input file " + file + " has shape " + java.util.Arrays.toString(shape)
          + "; an analog signal is (steps, channels)");
    }
    return signal(a.toDoubles(), 0, shape[0], shape[1]);
  }

  /** Rows {@code [step][channel]} from {@code values} starting at {@code offset}, checked. */
  private static double[][] signal(double[] values, int offset, int steps, int channels) {
    double[][] rows = new double[steps][channels];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(values, offset + t * channels, rows[t], 0, channels);
    }
    AnalogEncoder.checkSignal(rows);
    return rows;
  }

  private static int[][] readNpy(Path file) {
    return rows(NpyArray.read(file), file);
  }

  private static void refuseFloats(NpyArray a, Path file) {
    if (a.dtype().descr().contains("f")) {
      throw new QuenchException("input file " + file + " holds " + a.dtype().descr()
          + " floats; expected bool or integer spikes/payloads (an analog signal needs an encoding:"
          + " --encode rate|delta|latency)");
    }
  }

  /** A 1-D or 2-D integer array as rows. */
  private static int[][] rows(NpyArray a, Path file) {
    refuseFloats(a, file);
    int[] shape = a.shape();
    int[] values = a.toInts();
    if (shape.length == 1) {
      return new int[][] {values};
    }
    if (shape.length != 2) {
      throw new QuenchException("input file " + file + " has shape " + java.util.Arrays.toString(shape)
          + "; expected (steps, width)");
    }
    return rows(values, 0, shape[0], shape[1]);
  }

  /** Rows {@code [step][column]} from {@code values} starting at {@code offset}. */
  private static int[][] rows(int[] values, int offset, int steps, int width) {
    int[][] rows = new int[steps][width];
    for (int t = 0; t < steps; t++) {
      System.arraycopy(values, offset + t * width, rows[t], 0, width);
    }
    return rows;
  }

  private static SpikeTrains readCsv(Path file, String target, ChipImage image) {
    List<String[]> lines = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int number = 0;
      while ((line = in.readLine()) != null) {
        number++;
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        String[] fields = trimmed.split("\\s*,\\s*", -1);
        lines.add(fields);
        lineNumbers.add(number);
      }
    } catch (NoSuchFileException e) {
      throw new QuenchException("input file " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read input file " + file + ": " + e.getMessage());
    }
    if (lines.isEmpty()) {
      throw new QuenchException("input file " + file + " is empty; expected one row per step or a "
          + "step,index[,value] header with events");
    }
    String[] first = lines.get(0);
    String header = String.join(",", first).toLowerCase(Locale.ROOT);
    if (header.equals("step,index") || header.equals("step,index,value")
        || header.equals("port,step,index") || header.equals("port,step,index,value")) {
      return csvEvents(file, target, image, lines, lineNumbers, header.startsWith("port"));
    }
    int[][] rows = new int[lines.size()][];
    for (int r = 0; r < lines.size(); r++) {
      String[] f = lines.get(r);
      rows[r] = new int[f.length];
      for (int c = 0; c < f.length; c++) {
        rows[r][c] = parseInt(f[c], file, lineNumbers.get(r), c + 1,
            r == 0 ? "an integer (dense rows, one per step) or the header step,index[,value]"
                : "an integer");
      }
    }
    return matrix(file.toString(), resolve(file, target, image), image, rows);
  }

  private static SpikeTrains csvEvents(Path file, String target, ChipImage image,
      List<String[]> lines, List<Integer> lineNumbers, boolean withPort) {
    int columns = lines.get(0).length;
    String single = withPort ? null : resolve(file, target, image);
    int maxStep = -1;
    int[][] parsed = new int[lines.size() - 1][];
    String[] portOf = new String[lines.size() - 1];
    for (int r = 1; r < lines.size(); r++) {
      String[] f = lines.get(r);
      int line = lineNumbers.get(r);
      if (f.length != columns) {
        throw new QuenchException("input file " + file + " line " + line + ": " + f.length
            + " fields, expected " + columns + " (" + String.join(",", lines.get(0)) + ")");
      }
      int o = withPort ? 1 : 0;
      String port = withPort ? f[0] : single;
      int step = parseInt(f[o], file, line, o + 1, "a step number >= 0");
      int index = parseInt(f[o + 1], file, line, o + 2, "a channel index >= 0");
      int value = columns > o + 2 ? parseInt(f[o + 2], file, line, o + 3, "an integer payload") : 1;
      if (step < 0 || index < 0) {
        throw new QuenchException("input file " + file + " line " + line + ": step and index must be"
            + " >= 0, got " + step + "," + index);
      }
      if (port.startsWith(BIAS)) {
        throw new QuenchException("input file " + file + ": events feed ports; give a bias as dense"
            + " rows (one row per step) instead");
      }
      int width = portWidth(image, port, "input file " + file + " line " + line);
      if (index >= width) {
        throw new QuenchException("input file " + file + " line " + line + " column " + (o + 2)
            + ": index " + index + " but port '" + port + "' has " + width + " channels");
      }
      parsed[r - 1] = new int[] {step, index, value};
      portOf[r - 1] = port;
      maxStep = Math.max(maxStep, step);
    }
    SpikeTrains.Builder b = SpikeTrains.builder(maxStep + 1);
    if (single != null) {
      b.port(single, portWidth(image, single, file.toString()));
    }
    for (int i = 0; i < parsed.length; i++) {
      b.port(portOf[i], portWidth(image, portOf[i], file.toString()));
      b.payload(parsed[i][0], portOf[i], parsed[i][1], parsed[i][2]);
    }
    return b.build();
  }

  private static int parseInt(String text, Path file, int line, int column, String expected) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new QuenchException("input file " + file + " line " + line + " column " + column + ": '"
          + text + "' is not " + expected);
    }
  }

  private static SpikeTrains readHdf5(Path file, ChipImage image) {
    Map<String, int[][]> ports = new LinkedHashMap<>();
    Map<String, int[][]> biases = new LinkedHashMap<>();
    Map<String, Boolean> constant = new LinkedHashMap<>();
    try (HdfFile h5 = new HdfFile(file)) {
      for (Node node : h5.getChildren().values()) {
        String where = "input file " + file + " dataset /" + node.getName();
        if (node instanceof Dataset d) {
          ports.put(node.getName(), ints(d, where, false));
        } else if (node instanceof Group g && node.getName().equals("bias")) {
          for (Node child : g.getChildren().values()) {
            String w = "input file " + file + " dataset /bias/" + child.getName();
            if (!(child instanceof Dataset d)) {
              throw new QuenchException(w + " is a group; expected a dataset per population");
            }
            constant.put(child.getName(), d.getDimensions().length == 1);
            biases.put(child.getName(), ints(d, w, true));
          }
        } else {
          throw new QuenchException(where + " is a group; expected one dataset per input port and "
              + "an optional group 'bias'");
        }
      }
    } catch (HdfException e) {
      throw new QuenchException("input file " + file + " is not a readable HDF5 file: "
          + e.getMessage());
    }
    if (ports.isEmpty() && biases.isEmpty()) {
      throw new QuenchException("input file " + file + " holds no datasets; expected one per input "
          + "port (steps, width) and/or /bias/<population>");
    }
    int steps = 0;
    for (int[][] m : ports.values()) {
      steps = Math.max(steps, m.length);
    }
    for (Map.Entry<String, int[][]> e : biases.entrySet()) {
      if (!constant.get(e.getKey())) {
        steps = Math.max(steps, e.getValue().length);
      }
    }
    SpikeTrains.Builder b = SpikeTrains.builder(steps);
    ports.forEach((port, rows) -> add(b, "input file " + file + " dataset /" + port, port, image,
        rows, false));
    biases.forEach((pop, rows) -> add(b, "input file " + file + " dataset /bias/" + pop,
        BIAS + pop, image, rows, constant.get(pop)));
    return b.build();
  }

  /** A 1-D or 2-D integer or boolean dataset as rows of ints (1-D: a single row). */
  private static int[][] ints(Dataset d, String where, boolean allowVector) {
    int[] dims = d.getDimensions();
    if (dims.length != 2 && !(allowVector && dims.length == 1)) {
      throw new QuenchException(where + " has shape " + java.util.Arrays.toString(dims)
          + "; expected (steps, width)" + (allowVector ? " or (size,)" : ""));
    }
    Object data = d.getData();
    if (dims.length == 1) {
      return new int[][] {row(data, where)};
    }
    int[][] rows = new int[Array.getLength(data)][];
    for (int t = 0; t < rows.length; t++) {
      rows[t] = row(Array.get(data, t), where);
    }
    return rows;
  }

  private static int[] row(Object array, String where) {
    int n = Array.getLength(array);
    int[] out = new int[n];
    Class<?> type = array.getClass().getComponentType();
    for (int i = 0; i < n; i++) {
      Object v = Array.get(array, i);
      if (v instanceof Boolean bool) {
        out[i] = bool ? 1 : 0;
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short
          || v instanceof Byte) {
        long x = ((Number) v).longValue();
        if (x != (int) x) {
          throw new QuenchException(where + ": value " + x + " at column " + (i + 1)
              + " does not fit a 32-bit integer");
        }
        out[i] = (int) x;
      } else {
        throw new QuenchException(where + " holds " + type.getSimpleName()
            + " values; expected integers or booleans");
      }
    }
    return out;
  }
}
