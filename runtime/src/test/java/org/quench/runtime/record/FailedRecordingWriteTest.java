package org.quench.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.cli.RunCommand;
import org.quench.runtime.encode.InputFiles;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.RunSink;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;
import picocli.CommandLine;

/**
 * A recording whose file cannot be written never loses the steps already on disk and never shows
 * a stack trace: the other files are closed and readable with every completed step, and one line
 * says which file failed and how many steps each holds. The failures are real: {@code quench run}
 * in a child JVM whose file-size limit ({@code ulimit -f}, the kernel then refuses writes with
 * EFBIG as it would ENOSPC on a full disk) stops the widest .npy file part way through a chunk,
 * and a {@code meta.json} that turned into a directory fails at {@link Recorder#finish()}. Values
 * are compared with the same run recorded without a limit. A recording that cannot be created (an
 * .h5 file whose reserved room passes the limit, a directory name taken by a file) says so in one
 * line too.
 */
class FailedRecordingWriteTest {
  private static final int CHUNK = 100;
  private static final int STEPS = 1000;
  /** hidden.v is 8 int32 wide (32 bytes a step), the other series 3 (12 bytes a step). */
  private static final String[] PROBES = {"v:hidden", "u:hidden[2:5]", "spikes:out"};
  private static final List<String> NPY_FILES =
      List.of("hidden.v.npy", "hidden[2:5].u.npy", "out.spikes.npy", "out.out.npy");
  /** In KiB: hidden.v.npy reaches it during the third chunk (252 steps), the others later. */
  private static final int FILE_LIMIT_KIB = 8;

  @TempDir
  Path dir;
  private Path image;
  private Path input;

  @BeforeEach
  void files() {
    image = dir.resolve("small.qimg");
    ChipImages.write(TestNetworks.small(0), image);
    input = dir.resolve("in.npy");
    int[] spikes = new int[STEPS * 4];
    for (int i = 0; i < spikes.length; i += 3) {
      spikes[i] = 1;
    }
    NpyArray.ofInts(NpyArray.DType.BOOL, new int[] {STEPS, 4}, spikes).write(input);
  }

  private List<String> runArguments(Path record) {
    List<String> args = new ArrayList<>(List.of("run", image.toString(), "--input", input.toString(),
        "--record", record.toString(), "--chunk", String.valueOf(CHUNK), "--quiet"));
    for (String p : PROBES) {
      args.add("--probe");
      args.add(p);
    }
    return args;
  }

  /** What {@code quench run} in this JVM exited with and printed on stderr. */
  private record Ran(int code, String err) {}

  /** {@code quench run} recording to {@code record} in this JVM, without a limit. */
  private Ran runHere(Path record) {
    List<String> args = runArguments(record);
    CommandLine cli = RunCommand.standalone();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args.subList(1, args.size()).toArray(String[]::new));
    return new Ran(code, err.toString());
  }

  /** The same run recorded in this JVM, without a limit. */
  private Path truth(String name) {
    Path record = dir.resolve("truth").resolve(name);
    Ran ran = runHere(record);
    assertEquals(0, ran.code(), ran.err());
    return record;
  }

  /**
   * {@code quench run} recording to {@code record} in a child JVM that may not make any file longer
   * than the limit; checks that it failed with one line and no stack trace, and returns the line.
   */
  private String failedLimitedRun(Path record) throws Exception {
    String[] child = runLimited(runArguments(record), dir.resolve(record.getFileName() + "-child"));
    assertEquals("1", child[0], child[2]);
    assertEquals(1, child[2].lines().count(), "one line, no stack trace: " + child[2]);
    assertFalse(child[1].contains("Exception"), child[1]);
    return child[2];
  }

  /** {@code quench run} in a child JVM that may not make any file longer than the limit. */
  private static String[] runLimited(List<String> args, Path logs) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(), "-XX:-UsePerfData", "-Xmx128m", "-cp",
        System.getProperty("java.class.path"), "org.quench.runtime.cli.QuenchCli"));
    command.addAll(args);
    StringBuilder shell = new StringBuilder("ulimit -f " + FILE_LIMIT_KIB + " && exec");
    for (String c : command) {
      shell.append(" '").append(c.replace("'", "'\\''")).append('\'');
    }
    Path out = logs.resolveSibling(logs.getFileName() + ".out");
    Path err = logs.resolveSibling(logs.getFileName() + ".err");
    Process p = new ProcessBuilder("bash", "-c", shell.toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the child did not finish");
    return new String[] {String.valueOf(p.exitValue()), Files.readString(out), Files.readString(err)};
  }

  /** The first {@code steps} rows of {@code a}. */
  private static int[] firstRows(NpyArray a, long steps) {
    return Arrays.copyOf(a.toInts(), (int) steps * a.shape()[1]);
  }

  @Test
  void aNpyFileThatHitsTheDiskLimitMidRunLeavesEveryFileReadableAndOneLineSaysWhatEachHolds()
      throws Exception {
    Path truth = truth("npy");
    Path record = dir.resolve("limited");
    String err = failedLimitedRun(record);
    assertTrue(err.startsWith("quench: cannot write recording " + record + ": hidden.v.npy failed ("),
        err);
    // Every file holds the steps the line names, equal to the unlimited run's first steps.
    Map<String, Long> held = new LinkedHashMap<>();
    for (String file : NPY_FILES) {
      Matcher m = Pattern.compile(Pattern.quote(file) + " (\\d+) steps").matcher(err);
      assertTrue(m.find(), file + " missing from: " + err);
      held.put(file, Long.parseLong(m.group(1)));
    }
    // hidden.v.npy failed in the chunk of steps 200..300 (the limit falls at step 252) and keeps
    // the 200 before it; the others took that chunk too, then the run stopped.
    assertEquals(200L, held.get("hidden.v.npy"), err);
    for (String file : NPY_FILES.subList(1, NPY_FILES.size())) {
      assertEquals(300L, held.get(file), file + ": " + err);
    }
    for (String file : NPY_FILES) {
      NpyArray got = NpyArray.read(record.resolve(file));
      NpyArray whole = NpyArray.read(truth.resolve(file));
      long steps = held.get(file);
      assertArrayEquals(new int[] {(int) steps, whole.shape()[1]}, got.shape(), file);
      assertArrayEquals(firstRows(whole, steps), got.toInts(), file);
      // Nothing of the failed chunk is left after the last whole row.
      assertEquals(128 + 4L * steps * whole.shape()[1], Files.size(record.resolve(file)), file);
    }
    String meta = Files.readString(record.resolve("meta.json"));
    assertTrue(meta.contains("\"steps\": 200"), "steps every file holds: " + meta);
  }

  @Test
  void aCsvThatHitsTheDiskLimitMidRunKeepsItsWholeLinesAndSaysHowMany() throws Exception {
    Path truth = truth("run.csv");
    Path record = dir.resolve("limited.csv");
    String err = failedLimitedRun(record);
    Matcher m = Pattern.compile("quench: cannot write recording " + Pattern.quote(record.toString())
        + ": limited\\.csv failed \\(.+\\); it is closed and readable and holds the (\\d+) steps completed")
        .matcher(err);
    assertTrue(m.find(), err);
    int steps = Integer.parseInt(m.group(1));
    assertTrue(steps > 0 && steps < STEPS && steps % CHUNK == 0, err);
    List<String> lines = Files.readAllLines(record);
    assertEquals(Files.readAllLines(truth).subList(0, steps + 1), lines);
    assertTrue(Files.readString(record).endsWith("\n"), "no part of a line is left");
    String meta = Files.readString(dir.resolve("limited.meta.json"));
    assertTrue(meta.contains("\"steps\": " + steps), "the metadata count the same steps: " + meta);
  }

  @Test
  void anH5FileThatCannotTakeItsRoomFailsInOneLineAndStaysAReadableEmptyFile() throws Exception {
    // 1,000 steps reserve 68 KB of rows, past the 8 KiB limit: claiming that room fails at once.
    Path record = dir.resolve("limited.h5");
    String err = failedLimitedRun(record);
    assertTrue(err.startsWith("quench: cannot create recording " + record + ": File too large"), err);
    // The header alone, and it says so: libhdf5 opens no file shorter than its superblock's end.
    assertEquals(Files.size(record), StreamedHdf5WriteFailureTest.storedEndOfFile(record));
    try (HdfFile f = new HdfFile(record)) {
      assertArrayEquals(new long[] {0}, (long[]) f.getDatasetByPath("/meta/steps").getData());
      assertArrayEquals(new int[] {0, 8}, f.getDatasetByPath("/hidden/v").getDimensions());
    }
  }

  @Test
  void aRecordingDirectoryThatIsAFileIsRefusedInOneLine() throws IOException {
    Path taken = dir.resolve("taken");
    Files.writeString(taken, "someone's notes");
    Ran ran = runHere(taken);
    assertEquals(1, ran.code(), ran.err());
    assertEquals("quench: cannot create recording " + taken + ": " + taken + " is not a directory",
        ran.err().strip());
    assertEquals("someone's notes", Files.readString(taken));
  }

  @Test
  void everyNpyHeaderIsWholeAfterEachChunkSoFinishChangesNoByte() throws IOException {
    Path record = dir.resolve("chunks");
    Recorder r = Recorder.to(record);
    ChipImage small = TestNetworks.small(0);
    List<RunResult> chunks = new ArrayList<>();
    try (Session s = Session.open("emu:loihi")) {
      s.load(small);
      for (String p : PROBES) {
        s.probe(Probe.parse(p));
      }
      InputSource in = InputFiles.read(input, small);
      for (int c = 0; c < 3; c++) {
        RunResult chunk = s.run(in.chunk((long) c * CHUNK, CHUNK));
        chunks.add(chunk);
        r.accept(chunk);
        NpyArray v = NpyArray.read(record.resolve("hidden.v.npy"));
        assertArrayEquals(new int[] {(c + 1) * CHUNK, 8}, v.shape());
        int[] expected = chunks.stream().flatMapToInt(k -> Arrays.stream(k.trace(Probe.parse("v:hidden")).values()))
            .toArray();
        assertArrayEquals(expected, v.toInts());
      }
    }
    Map<String, byte[]> before = new LinkedHashMap<>();
    for (String file : NPY_FILES) {
      before.put(file, Files.readAllBytes(record.resolve(file)));
    }
    r.finish();
    for (String file : NPY_FILES) {
      assertArrayEquals(before.get(file), Files.readAllBytes(record.resolve(file)), file);
      assertArrayEquals(new int[] {3 * CHUNK}, Arrays.copyOf(NpyArray.read(record.resolve(file)).shape(), 1), file);
    }
    assertEquals(List.of(), openFilesUnder(record));
  }

  @Test
  void metadataThatCannotBeWrittenAtFinishLeavesEveryArrayClosedAndWhole() throws IOException {
    Path record = dir.resolve("meta-fails");
    Recorder r = Recorder.to(record);
    try (Session s = Session.open("emu:loihi")) {
      s.load(image);
      for (String p : PROBES) {
        s.probe(Probe.parse(p));
      }
      r.describedBy(RecordingMetadata.of(s.image(), s.device().info(), "test input"));
      InputSource in = InputFiles.read(input, s.image());
      r.accept(s.run(in.chunk(0, CHUNK)));
      r.accept(s.run(in.chunk(CHUNK, CHUNK)));
    }
    // The sidecar written when the run began turns into a directory: rewriting it at the end fails.
    Files.delete(record.resolve("meta.json"));
    Files.createDirectories(record.resolve("meta.json").resolve("blocked"));
    QuenchException e = assertThrows(QuenchException.class, r::finish);
    String line = e.getMessage();
    assertFalse(line.contains("\n"), line);
    assertTrue(line.matches(Pattern.quote("cannot write recording " + record) + ": meta\\.json failed \\([^)]+\\);"
        + " the files are closed and readable and hold .*"), line);
    for (String file : NPY_FILES) {
      assertTrue(line.contains(file + " " + 2 * CHUNK + " steps"), line);
      assertEquals(2 * CHUNK, NpyArray.read(record.resolve(file)).shape()[0], file);
    }
    assertTrue(r.failed());
    assertEquals(List.of(), openFilesUnder(record));
    r.finish(); // once closed, finishing again changes nothing and says nothing
  }

  @Test
  void aRecordingThatCannotFinishAfterTheDeviceFailedDoesNotHideTheDeviceError() throws IOException {
    Path record = dir.resolve("device-then-disk");
    Path meta = record.resolve("meta.json");
    Recorder r = Recorder.to(record);
    // Once the first chunk is in, meta.json turns into a directory: the recording cannot finish.
    RunSink blockMeta = chunk -> {
      try {
        if (!Files.isDirectory(meta)) {
          Files.delete(meta);
          Files.createDirectories(meta.resolve("blocked"));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
    QuenchException e;
    try (Session s = Session.open("failafter:" + 2 * CHUNK)) {
      s.load(image).chunkSteps(CHUNK);
      for (String p : PROBES) {
        s.probe(Probe.parse(p));
      }
      r.describedBy(RecordingMetadata.of(s.image(), s.device().info(), "test input"));
      InputSource in = InputFiles.read(input, s.image());
      e = assertThrows(QuenchException.class, () -> s.run(STEPS, in, r.and(blockMeta)));
    }
    assertTrue(e.getMessage().startsWith("device lost at step " + 2 * CHUNK), e.getMessage());
    assertEquals(1, e.getSuppressed().length, Arrays.toString(e.getSuppressed()));
    String line = e.getSuppressed()[0].getMessage();
    assertTrue(line.startsWith("cannot write recording " + record + ": meta.json failed ("), line);
    for (String file : NPY_FILES) {
      assertTrue(line.contains(file + " " + 2 * CHUNK + " steps"), line);
      assertEquals(2 * CHUNK, NpyArray.read(record.resolve(file)).shape()[0], file);
    }
    assertTrue(r.failed());
    assertEquals(List.of(), openFilesUnder(record));
  }

  /** Files under {@code root} this process still has open (Linux: /proc/self/fd). */
  private static List<Path> openFilesUnder(Path root) throws IOException {
    List<Path> open = new ArrayList<>();
    Path real = root.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          Path target = Files.readSymbolicLink(fd);
          if (target.startsWith(real)) {
            open.add(target);
          }
        } catch (IOException gone) {
          // the listing's own descriptor, closed by now
        }
      }
    }
    return open;
  }
}
