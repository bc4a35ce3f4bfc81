package org.quench.runtime.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.runtime.session.RunSink;

/**
 * Writes a run's probe traces (u, v, spikes by population) and output-port spikes to files, chunk
 * by chunk. Row {@code k} of every array is the k-th step recorded (0-based from the first chunk;
 * the device's step number is {@code first_step + k + 1}). All values are 32-bit signed integers.
 *
 * <p>The format follows the target path:
 * <ul>
 *   <li><b>a directory</b> (a path without extension, or an existing directory): one .npy file per
 *       series, int32 of shape {@code (steps, neurons)}: {@code <population>.<kind>.npy} for a
 *       probe ({@code kind} = u, v or spikes; part of a population is spelled as on the command
 *       line, {@code <population>[first:end].<kind>.npy}) and {@code <port>.out.npy} for an output
 *       port, plus {@code meta.json}. Written as the run goes, so memory stays flat; the header's
 *       shape is rewritten after every chunk, so an interrupted run leaves files holding every
 *       completed step.</li>
 *   <li><b>.csv</b>: one file, header {@code step,<series>[i],...}, one line per step, one column
 *       per recorded neuron (series as in the .npy names without the extension), and
 *       {@code <name>.meta.json} beside it. Streamed and flushed after every chunk.</li>
 *   <li><b>.h5 / .hdf5</b>: datasets {@code /<population>/<kind>} (part of a population:
 *       {@code /<population>[first:end]/<kind>}) with {@code scale} and {@code v_offset} beside
 *       them, and {@code /outputs/<port>}, int32 {@code (steps, neurons)}; metadata as datasets,
 *       no attributes: {@code /meta/first_step}, {@code /meta/steps}, {@code /meta/dt} and the
 *       strings of {@link RecordingMetadata}. Streamed too ({@link StreamedHdf5}): each dataset
 *       is contiguous in a region reserved for the {@link #expecting expected} steps (grown when a
 *       run goes past it), and the file's header is rewritten after every chunk, so an
 *       interrupted run leaves a valid file of every completed chunk. {@link #finish()} moves the
 *       datasets together and truncates the file when the run used less room than reserved, except
 *       after a run stopped short of the expected steps, which is closed at once in place.</li>
 * </ul>
 * A file that cannot be written (a full disk, a file-size limit) stops the recording with one
 * line naming the file and the steps every file holds; each file is closed at its last whole step,
 * and the other .npy files keep every step they took.
 * The metadata ({@link #describedBy}) make a recording readable alone: v in model units is
 * {@code v / scale + v_offset}, row k is at {@code (first_step + k + 1) * dt} seconds.
 * A '/' in a population or port name becomes '_' in file and dataset names. See
 * docs/recording.md.
 */
public final class Recorder implements RunSink {
  /** The three file layouts. */
  public enum Format { NPY_DIRECTORY, CSV, HDF5 }

  private static final int NPY_HEADER_BYTES = 128;

  private final Path target;
  private final Format format;
  private final List<String> names = new ArrayList<>();
  private final List<Integer> widths = new ArrayList<>();
  private final List<Path> written = new ArrayList<>();
  private StreamedHdf5 h5;
  private long expected = -1;
  /** The .npy directory's files, one per series, in column order. */
  private List<NpySeries> npy;
  private FileChannel csv;
  /** Bytes of the .csv that hold whole steps: the file is cut back to them after a failed write. */
  private long csvBytes;
  /** What went wrong with a single-file recording (.csv, .h5), or null. */
  private String fileFailure;
  private final Map<String, int[]> probedNeurons = new LinkedHashMap<>();
  private RecordingMetadata metadata;
  private long firstStep = -1;
  private volatile long steps;
  private boolean finished;
  private boolean stopped;

  private Recorder(Path target, Format format) {
    this.target = target;
    this.format = format;
  }

  /** A recorder whose format follows {@code target}'s name (see the class comment). */
  public static Recorder to(Path target) {
    return new Recorder(target, formatOf(target));
  }

  /** The format {@code target} would be written in. */
  public static Format formatOf(Path target) {
    String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".csv")) {
      return Format.CSV;
    }
    if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
      return Format.HDF5;
    }
    if (Files.isDirectory(target) || !name.contains(".")) {
      return Format.NPY_DIRECTORY;
    }
    throw new QuenchException("cannot record to " + target + ": use a directory (one .npy per probe),"
        + " a .csv file or an .h5 file");
  }

  public Format format() {
    return format;
  }

  /**
   * Writes {@code meta} with the recording (dt, model units per population, image, device, input;
   * see docs/recording.md). Give it before the first chunk.
   */
  public Recorder describedBy(RecordingMetadata meta) {
    if (firstStep >= 0) {
      throw new IllegalStateException("metadata must be given before the first chunk");
    }
    metadata = meta;
    return this;
  }

  /**
   * Tells the recorder how many steps the run will have, so an HDF5 recording reserves its room
   * once (without it, the room doubles as the run goes). More or fewer steps are still fine.
   */
  public Recorder expecting(long totalSteps) {
    expected = totalSteps;
    return this;
  }

  /** Files written so far (complete after {@link #finish()}). */
  public List<Path> files() {
    return List.copyOf(written);
  }

  /** The series names (probe or port) in column order, known after the first chunk. */
  public List<String> series() {
    return List.copyOf(names);
  }

  @Override
  public synchronized void accept(RunResult chunk) {
    if (stopped) {
      return;
    }
    if (finished) {
      throw new IllegalStateException("recorder already finished");
    }
    List<int[]> rows = new ArrayList<>();
    List<String> chunkNames = new ArrayList<>();
    List<Integer> chunkWidths = new ArrayList<>();
    for (Map.Entry<Probe, RunResult.Trace> e : chunk.traces().entrySet()) {
      chunkNames.add(probeName(e.getKey()));
      probedNeurons.putIfAbsent(probeName(e.getKey()), new int[] {e.getKey().first(), e.getValue().width()});
      chunkWidths.add(e.getValue().width());
      rows.add(e.getValue().values());
    }
    for (Map.Entry<String, RunResult.SpikeEvents> e : chunk.outputs().entrySet()) {
      chunkNames.add(safe(e.getKey()) + ".out");
      chunkWidths.add(e.getValue().width());
      int w = e.getValue().width();
      int[] dense = new int[chunk.steps() * w];
      RunResult.SpikeEvents s = e.getValue();
      for (int i = 0; i < s.count(); i++) {
        dense[s.steps()[i] * w + s.indices()[i]] = s.values()[i];
      }
      rows.add(dense);
    }
    if (firstStep < 0) {
      refuseSharedNames(chunk, chunkNames);
      firstStep = chunk.firstStep();
      names.addAll(chunkNames);
      widths.addAll(chunkWidths);
      open();
    } else if (!names.equals(chunkNames) || !widths.equals(chunkWidths)) {
      throw new QuenchException("the recorded probes changed during the run (" + names + " then "
          + chunkNames + "); record each run to its own file");
    }
    switch (format) {
      case NPY_DIRECTORY -> writeNpy(rows, chunk.steps());
      case CSV -> writeCsv(rows, chunk.steps());
      case HDF5 -> writeHdf5(rows, chunk.steps());
      default -> throw new IllegalStateException();
    }
  }

  /**
   * Appends a chunk to every .npy file, then rewrites each header with its rows (a fixed-size
   * header, so data never move): after every chunk the files on disk are whole, and a run stopped
   * by Ctrl-C, a device error or a kill leaves every completed step. A file that cannot be written
   * keeps its last committed rows; the others still take the chunk, then all are closed and one
   * line says which file failed and what each holds.
   */
  private void writeNpy(List<int[]> rows, int added) {
    for (int k = 0; k < npy.size(); k++) {
      npy.get(k).append(rows.get(k), added);
    }
    steps = npy.stream().mapToLong(NpySeries::rows).min().orElse(steps + added);
    if (npy.stream().anyMatch(NpySeries::failed)) {
      throw failure(closeAll());
    }
  }

  /** Appends a chunk's lines and counts its bytes; a failed write is cut back to the whole steps. */
  private void writeCsv(List<int[]> rows, int added) {
    StringBuilder text = new StringBuilder();
    for (int t = 0; t < added; t++) {
      text.append(steps + t);
      for (int k = 0; k < rows.size(); k++) {
        int w = widths.get(k);
        for (int i = 0; i < w; i++) {
          text.append(',').append(rows.get(k)[t * w + i]);
        }
      }
      text.append('\n');
    }
    try {
      csvBytes += writeAt(csv, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)), csvBytes);
      steps += added;
    } catch (IOException e) {
      fileFailure = reason(e);
      throw failure(closeAll());
    }
  }

  /**
   * Writes a chunk into the HDF5 regions, then rewrites the header block with the new row count
   * in one write; a failure leaves the header of the last chunk, which the file then closes with.
   */
  private void writeHdf5(List<int[]> rows, int added) {
    try {
      h5.reserve(added);
      for (int k = 0; k < rows.size(); k++) {
        h5.write(k, rows.get(k), added);
      }
      h5.commit(added);
      steps += added;
    } catch (IOException e) {
      fileFailure = reason(e);
      throw failure(closeAll());
    }
  }

  /** Steps written so far: every file holds at least these (safe to ask from any thread). */
  public long steps() {
    return steps;
  }

  /**
   * Whether a file of this recording could not be created or written (the run's error then said
   * which and what every file holds).
   */
  public synchronized boolean failed() {
    return fileFailure != null || (npy != null && npy.stream().anyMatch(NpySeries::failed));
  }

  private void open() {
    try {
      switch (format) {
        case NPY_DIRECTORY -> {
          Files.createDirectories(target);
          npy = new ArrayList<>();
          try {
            for (int k = 0; k < names.size(); k++) {
              Path file = target.resolve(names.get(k) + ".npy");
              npy.add(new NpySeries(file, widths.get(k)));
              written.add(file);
            }
          } catch (IOException e) {
            npy.forEach(NpySeries::close);
            throw e;
          }
          writeSidecar(target.resolve("meta.json"));
        }
        case CSV -> {
          createParent(target);
          csv = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING);
          written.add(target);
          StringBuilder header = new StringBuilder("step");
          for (int k = 0; k < names.size(); k++) {
            for (int i = 0; i < widths.get(k); i++) {
              header.append(',').append(names.get(k)).append('[').append(i).append(']');
            }
          }
          csvBytes = writeAt(csv, ByteBuffer.wrap(header.append('\n').toString().getBytes(StandardCharsets.UTF_8)), 0);
          writeSidecar(csvSidecar());
        }
        case HDF5 -> {
          createParent(target);
          try {
            h5 = hdf5Layout();
            h5.create(expected > 0 ? expected : 1024);
          } catch (IllegalArgumentException e) {
            // A tree HDF5 cannot hold: a name over 255 bytes, or a probed population named like
            // the file's own groups ("outputs", "meta") with a clashing dataset.
            fileFailure = e.getMessage();
            closeAll();
            throw new QuenchException("cannot record to " + target + ": " + e.getMessage()
                + "; record to a .npy directory or .csv instead, or rename the population");
          }
          written.add(target);
        }
        default -> throw new IllegalStateException();
      }
    } catch (IOException e) {
      fileFailure = reason(e); // also makes failed() say so: this line is all the user needs
      closeAll();
      throw new QuenchException("cannot create recording " + target + ": " + fileFailure, e);
    }
  }

  private Path csvSidecar() {
    String file = target.getFileName().toString();
    return target.resolveSibling(file.substring(0, file.length() - 4) + ".meta.json");
  }

  /**
   * The metadata beside .npy and .csv recordings; steps are filled in when the run ends. Written
   * beside and then moved over the old one, so a full disk leaves the previous metadata whole.
   */
  private void writeSidecar(Path file) throws IOException {
    if (metadata == null) {
      return;
    }
    Path next = file.resolveSibling(file.getFileName() + ".part");
    try {
      Files.writeString(next, metadata.toJson(Math.max(firstStep, 0), steps, probedNeurons), StandardCharsets.UTF_8);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(next);
    }
    if (!written.contains(file)) {
      written.add(file);
    }
  }

  /**
   * Closes the recording at the steps completed so far, from any thread (a shutdown hook on
   * Ctrl-C): waits for a chunk being written, finishes the files, and drops chunks that arrive
   * later. Returns the steps the files hold.
   */
  public synchronized long stop() {
    if (!finished) {
      try {
        finish();
      } catch (QuenchException e) {
        System.err.println(e.getMessage());
      }
    }
    stopped = true;
    return steps;
  }

  /**
   * Closes every file: the headers already hold the rows of the last chunk, so this only cuts off
   * what a failed write left past them, completes the metadata and, for HDF5, gives back reserved
   * room. Every file is closed even when one cannot be; then one line says which and what each
   * holds.
   */
  @Override
  public synchronized void finish() {
    if (finished) {
      return;
    }
    String failed = closeAll();
    if (failed != null) {
      throw failure(failed);
    }
  }

  /**
   * Closes every file of the recording, each whatever happens to the others; returns the name of
   * the first that failed (at any time during the run), or null.
   */
  private String closeAll() {
    finished = true;
    String first = null;
    if (npy != null) {
      for (NpySeries s : npy) {
        s.close();
        if (first == null && s.failed()) {
          first = s.file.getFileName().toString();
        }
      }
      first = sidecar(target.resolve("meta.json"), first);
    }
    if (csv != null) {
      try (FileChannel c = csv) {
        if (fileFailure != null) {
          c.truncate(csvBytes); // a failed write may have left part of a line
        }
      } catch (IOException e) {
        fileFailure = fileFailure != null ? fileFailure : reason(e);
      }
      first = sidecar(csvSidecar(), fileFailure != null ? target.getFileName().toString() : null);
    }
    if (h5 != null) {
      try {
        if (fileFailure != null || (expected > 0 && steps < expected)) {
          // Stopped short (a device error, Ctrl-C, a write error): close at once, data not moved.
          h5.closeInPlace();
        } else {
          h5.close();
        }
      } catch (IOException e) {
        fileFailure = fileFailure != null ? fileFailure : reason(e);
      }
      first = fileFailure != null ? target.getFileName().toString() : null;
    }
    return first;
  }

  /** Writes the metadata sidecar; returns {@code failed}, or the sidecar's name if it fails first. */
  private String sidecar(Path file, String failed) {
    try {
      writeSidecar(file);
      return failed;
    } catch (IOException e) {
      if (fileFailure == null) {
        fileFailure = reason(e);
      }
      return failed != null ? failed : file.getFileName().toString();
    }
  }

  /**
   * The one line a user reads when a file failed: which, why, and how many steps each file holds
   * (all of them closed and readable).
   */
  private QuenchException failure(String failedFile) {
    StringBuilder line = new StringBuilder("cannot write recording ").append(target).append(": ")
        .append(failedFile);
    if (npy != null) {
      String why = npy.stream().filter(NpySeries::failed).map(s -> s.failure).findFirst().orElse(fileFailure);
      line.append(" failed (").append(why).append("); the files are closed and readable and hold ");
      for (int k = 0; k < npy.size(); k++) {
        NpySeries s = npy.get(k);
        line.append(k == 0 ? "" : ", ").append(s.file.getFileName()).append(' ').append(s.rows).append(" steps");
      }
    } else {
      line.append(" failed (").append(fileFailure).append("); it is closed and readable and holds the ")
          .append(steps).append(" steps completed");
    }
    return new QuenchException(line.toString());
  }

  /** Why a write failed, in words (the file is named beside it). */
  private static String reason(IOException e) {
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " is not a directory"; // only creating directories meets one
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "a directory of that name is in the way";
    }
    if (e instanceof NoSuchFileException) {
      return "its directory is gone";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Writes all of {@code b} at {@code at}; returns the bytes written. */
  private static int writeAt(FileChannel ch, ByteBuffer b, long at) throws IOException {
    int n = b.remaining();
    for (long pos = at; b.hasRemaining(); ) {
      pos += ch.write(b, pos);
    }
    return n;
  }

  /**
   * One .npy file of the directory format: int32 rows of {@code width} after a fixed 128-byte
   * header that always states {@link #rows}, the rows wholly written. Once a write fails the file
   * takes no more rows and {@link #failure} says why.
   */
  private static final class NpySeries {
    final Path file;
    final int width;
    final FileChannel channel;
    long rows;
    String failure;

    NpySeries(Path file, int width) throws IOException {
      this.file = file;
      this.width = width;
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      try {
        writeAt(channel, ByteBuffer.wrap(npyHeader(0, width)), 0);
      } catch (IOException e) {
        channel.close();
        throw e;
      }
    }

    long rows() {
      return rows;
    }

    boolean failed() {
      return failure != null;
    }

    private long end() {
      return NPY_HEADER_BYTES + rows * width * 4L;
    }

    /** Writes {@code count} rows after the last and then the header that counts them. */
    void append(int[] values, int count) {
      if (failed()) {
        return;
      }
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asIntBuffer().put(values);
      try {
        writeAt(channel, b, end());
        writeAt(channel, ByteBuffer.wrap(npyHeader(rows + count, width)), 0);
        rows += count;
      } catch (IOException e) {
        failure = reason(e);
      }
    }

    /** Cuts off what a failed write left after the last whole row, then closes. */
    void close() {
      if (!channel.isOpen()) {
        return;
      }
      try (FileChannel c = channel) {
        c.truncate(end());
      } catch (IOException e) {
        if (failure == null) {
          failure = reason(e);
        }
      }
    }
  }

  /**
   * The HDF5 file's tree: a group per probed population (or part), its probes as growing datasets
   * with scale and v_offset beside them, {@code /outputs/<port>}, and {@code /meta}.
   */
  private StreamedHdf5 hdf5Layout() {
    StreamedHdf5 file = new StreamedHdf5(target);
    List<String> described = new ArrayList<>();
    for (int k = 0; k < names.size(); k++) {
      String name = names.get(k);
      String group;
      String dataset;
      if (name.endsWith(".out")) {
        group = "outputs";
        dataset = name.substring(0, name.length() - 4);
      } else {
        int dot = name.lastIndexOf('.');
        group = name.substring(0, dot);
        dataset = name.substring(dot + 1);
      }
      file.addGrowing("/" + group + "/" + dataset, widths.get(k));
      if (metadata != null && !group.equals("outputs") && !described.contains(group)) {
        described.add(group);
        int bracket = group.indexOf('[');
        int[] probed = probedNeurons.get(name);
        RecordingMetadata.ModelUnits u = metadata.unitsOf(bracket > 0 ? group.substring(0, bracket) : group,
            probed[0], probed[1]);
        if (u != null) {
          file.addDoubles("/" + group + "/scale", new double[] {u.scale()});
          file.addDoubles("/" + group + "/v_offset", u.vOffset());
        }
      }
    }
    file.addLong("/meta/first_step", Math.max(firstStep, 0));
    file.addRowCounter("/meta/steps");
    if (metadata != null) {
      file.addDoubles("/meta/dt", new double[] {metadata.dtSeconds()});
      metadata.provenance().forEach((key, value) -> file.addString("/meta/" + key, value));
    }
    return file;
  }

  /** A version 1.0 .npy header for int32 (rows, width), padded to a fixed 128 bytes. */
  static byte[] npyHeader(long rows, int width) {
    String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (" + rows + ", " + width + "), }";
    StringBuilder text = new StringBuilder(dict);
    while (text.length() < NPY_HEADER_BYTES - 10 - 1) {
      text.append(' ');
    }
    text.append('\n');
    byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) body.length);
    b.put(body);
    return b.array();
  }

  /**
   * The series name of a probe: {@code population.kind}, or for part of a population
   * {@code population[first:end].kind} with the range spelled as on the command line
   * ({@code v:hidden[0:10]} records {@code hidden[0:10].v}; {@code [5:]} runs to the end).
   */
  public static String probeName(Probe p) {
    return safe(p.population()) + rangeOf(p) + "." + p.kind().name().toLowerCase(Locale.ROOT);
  }

  private static String rangeOf(Probe p) {
    return p.first() == 0 && p.count() < 0 ? ""
        : "[" + p.first() + ":" + (p.count() < 0 ? "" : String.valueOf(p.first() + p.count())) + "]";
  }

  /**
   * Fails before anything is written when two series would get the same name: '/' and '\' in a
   * name become '_' in file and dataset names, so populations {@code a/b} and {@code a_b} would
   * otherwise write one file and the second would overwrite the first.
   */
  private static void refuseSharedNames(RunResult chunk, List<String> names) {
    // Labels in the order accept() names the series: traces, then output ports.
    List<String> sources = new ArrayList<>();
    chunk.traces().keySet().forEach(p -> sources.add("probe of '" + p.population() + "'"));
    chunk.outputs().keySet().forEach(port -> sources.add("output port '" + port + "'"));
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      Integer other = seen.putIfAbsent(names.get(i), i);
      if (other != null) {
        throw new QuenchException("cannot record: the " + sources.get(other) + " and the "
            + sources.get(i) + " would both be written as '" + names.get(i) + "' ('/' and '\\'"
            + " become '_' in file names); probe one of them only, or record them in separate runs");
      }
    }
  }

  private static String safe(String name) {
    return name.replace('/', '_').replace('\\', '_');
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }
}
