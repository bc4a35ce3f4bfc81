package org.quench.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.board.BoardServer;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.cli.RunCommand;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;
import picocli.CommandLine;

/**
 * Recordings stay valid when a run stops early: a device error at step K leaves .h5, .npy and
 * .csv recordings of exactly K steps (and {@code quench run} says so), also when the device is a
 * board behind gRPC, an HDF5 file is readable
 * after every chunk, before the run ends, and a {@code quench run} stopped by SIGTERM (what
 * Ctrl-C's shutdown path runs) leaves an HDF5 file of the steps it completed. Values are compared
 * with one unchunked run of the same network and input.
 */
class InterruptedRecordingTest {
  private static final int SIZE = 60;
  private static final int CHUNK = 100;
  private static final long ASKED = 10_000_000;
  private static final Probe V = Probe.of(ProbeKind.V, "res");
  private static final Probe SPIKES = Probe.of(ProbeKind.SPIKES, "res");
  private static final ChipImage IMAGE = TestNetworks.reservoir(LongRecording.INPUTS, SIZE, 11);

  @TempDir
  Path dir;

  private static Session session(String uri) {
    Session s = Session.open(uri);
    s.load(IMAGE).probe(V).probe(SPIKES).chunkSteps(CHUNK);
    return s;
  }

  /** The first {@code steps} steps in one device call, nothing recorded. */
  private static RunResult truth(int steps) {
    try (Session s = session("emu:loihi")) {
      return s.run(LongRecording.input().chunk(0, steps));
    }
  }

  private static int[][] matrix(int[] values, int width) {
    int[][] m = new int[values.length / width][];
    for (int r = 0; r < m.length; r++) {
      m[r] = Arrays.copyOfRange(values, r * width, (r + 1) * width);
    }
    return m;
  }

  private static void assertHdf5Holds(Path file, int steps) {
    RunResult expected = truth(steps);
    try (HdfFile h5 = new HdfFile(file)) {
      assertArrayEquals(new long[] {steps}, (long[]) h5.getDatasetByPath("/meta/steps").getData());
      assertArrayEquals(new int[] {steps, SIZE}, h5.getDatasetByPath("/res/v").getDimensions());
      assertArrayEquals(matrix(expected.trace(V).values(), SIZE), (int[][]) h5.getDatasetByPath("/res/v").getData());
      assertArrayEquals(matrix(expected.trace(SPIKES).values(), SIZE),
          (int[][]) h5.getDatasetByPath("/res/spikes").getData());
    }
  }

  @Test
  void aDeviceErrorAtStepKLeavesExactlyKStepsInEveryFormat() throws IOException {
    int failAt = 700;
    Path h5 = dir.resolve("run.h5");
    Path npy = dir.resolve("npy");
    Path csv = dir.resolve("run.csv");
    for (Path target : List.of(h5, npy, csv)) {
      Recorder r = Recorder.to(target).expecting(5000);
      try (Session s = session("failafter:" + failAt)) {
        QuenchException e = assertThrows(QuenchException.class, () -> s.run(5000, LongRecording.input(), r));
        assertTrue(e.getMessage().contains("device lost"), e.getMessage());
      }
      assertEquals(failAt, r.steps(), target.toString());
    }
    assertHdf5Holds(h5, failAt);
    RunResult expected = truth(failAt);
    NpyArray v = NpyArray.read(npy.resolve("res.v.npy"));
    assertArrayEquals(new int[] {failAt, SIZE}, v.shape());
    assertArrayEquals(expected.trace(V).values(), v.toInts());
    List<String> lines = Files.readAllLines(csv);
    assertEquals(failAt + 1, lines.size());
    String[] last = lines.get(failAt).split(",");
    assertEquals(String.valueOf(failAt - 1), last[0]);
    assertEquals(expected.trace(V).values()[(failAt - 1) * SIZE + SIZE - 1], Integer.parseInt(last[SIZE]));
  }

  @Test
  void aRemoteRunStreamsAndABoardErrorAtStepKLeavesExactlyKSteps() {
    // The board's chip fails at step 700; the client asks for 100-step chunks in 30-step batches.
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).device("failafter:700").start()) {
      Path h5 = dir.resolve("remote.h5");
      Recorder r = Recorder.to(h5).expecting(5000);
      try (Session s = session("grpc://127.0.0.1:" + board.port() + "/chip0?batch=30")) {
        assertThrows(QuenchException.class, () -> s.run(5000, LongRecording.input(), r));
      }
      assertEquals(700, r.steps());
      assertHdf5Holds(h5, 700);
    }
  }

  @Test
  void quenchRunSaysHowManyStepsTheFileKeptAfterADeviceError() {
    Path image = dir.resolve("res.qimg");
    ChipImages.write(IMAGE, image);
    Path input = dir.resolve("in.npy");
    int[] spikes = new int[3000 * LongRecording.INPUTS];
    for (int i = 0; i < spikes.length; i += 3) {
      spikes[i] = 1;
    }
    NpyArray.ofInts(NpyArray.DType.BOOL, new int[] {3000, LongRecording.INPUTS}, spikes).write(input);
    Path h5 = dir.resolve("cli.h5");
    CommandLine cli = RunCommand.standalone();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(new StringWriter(), true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(image.toString(), "--device", "failafter:500", "--input", input.toString(),
        "--probe", "v:res", "--record", h5.toString(), "--chunk", "100", "--quiet");
    assertEquals(1, code, err.toString());
    assertTrue(err.toString().contains(h5 + " holds the 500 steps completed before the error"), err.toString());
    try (HdfFile f = new HdfFile(h5)) {
      assertArrayEquals(new int[] {500, SIZE}, f.getDatasetByPath("/res/v").getDimensions());
      assertArrayEquals(new long[] {500}, (long[]) f.getDatasetByPath("/meta/steps").getData());
    }
  }

  @Test
  void anHdf5RecordingIsReadableAfterEveryChunkBeforeTheRunEnds() {
    Path h5 = dir.resolve("live.h5");
    Recorder r = Recorder.to(h5).expecting(10 * CHUNK);
    try (Session s = session("emu:loihi")) {
      InputSource in = LongRecording.input();
      for (int c = 0; c < 3; c++) {
        r.accept(s.run(in.chunk((long) c * CHUNK, CHUNK)));
        assertHdf5Holds(h5, (c + 1) * CHUNK);
      }
    }
    r.finish();
    assertHdf5Holds(h5, 3 * CHUNK);
  }

  @Test
  void withoutAnExpectedLengthTheFileGrowsAndEndsIdenticalToAReservedOne() throws IOException {
    int steps = 2500; // room for 1024 rows at first: grown twice, data moved each time
    Path grown = dir.resolve("grown.h5");
    Path reserved = dir.resolve("reserved.h5");
    for (Path target : List.of(grown, reserved)) {
      Recorder r = Recorder.to(target);
      if (target == reserved) {
        r.expecting(steps);
      }
      try (Session s = session("emu:loihi")) {
        s.run(steps, LongRecording.input(), r);
      }
    }
    assertHdf5Holds(grown, steps);
    assertArrayEquals(Files.readAllBytes(reserved), Files.readAllBytes(grown));
    // Finished files hold no reserved room: the data are v, spikes and the output ports, int32.
    long data = 4L * steps * valuesPerStep();
    assertTrue(Files.size(grown) > data && Files.size(grown) < data + 8192, "size " + Files.size(grown));
  }

  @Test
  void aRunStoppedBySigtermLeavesTheStepsItCompleted() throws Exception {
    Path image = dir.resolve("res.qimg");
    ChipImages.write(IMAGE, image);
    Path h5 = dir.resolve("stopped.h5");
    Path log = dir.resolve("child.log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        "org.quench.runtime.cli.QuenchCli", "run", image.toString(), "--steps", String.valueOf(ASKED), "--probe", "v:res",
        "--probe", "spikes:res", "--record", h5.toString(), "--chunk", String.valueOf(CHUNK), "--quiet")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (committedSteps(h5) < 3L * CHUNK) {
      assertTrue(p.isAlive(), Files.readString(log));
      assertTrue(System.nanoTime() < deadline, "the child recorded nothing: " + Files.readString(log));
      Thread.sleep(50);
    }
    p.destroy(); // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C
    assertTrue(p.waitFor(1, TimeUnit.MINUTES));
    String said = Files.readString(log);
    Matcher m = Pattern.compile("interrupted: .*stopped\\.h5 holds the (\\d+) steps completed")
        .matcher(said);
    assertTrue(m.find(), said);
    long kept = Long.parseLong(m.group(1));
    assertTrue(kept >= 3L * CHUNK && kept % CHUNK == 0, "kept " + kept);
    try (HdfFile f = new HdfFile(h5)) {
      assertArrayEquals(new long[] {kept}, (long[]) f.getDatasetByPath("/meta/steps").getData());
      assertArrayEquals(new int[] {(int) kept, SIZE}, f.getDatasetByPath("/res/spikes").getDimensions());
      int[][] v = (int[][]) f.getDatasetByPath("/res/v").getData();
      assertEquals(kept, v.length);
    }
    // Closed in place at once (no data moved): the room reserved after the last dataset is cut off.
    assertTrue(Files.size(h5) < 4 * ASKED * valuesPerStep(), "size " + Files.size(h5));
  }

  /** Values recorded per step: v and spikes of every neuron and every output port's spikes. */
  private static long valuesPerStep() {
    try (Session s = session("emu:loihi")) {
      return 2L * SIZE + s.outputPorts().values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /** Steps a recording being written says it holds (0 until it exists or while it cannot be read). */
  private static long committedSteps(Path h5) {
    if (!Files.exists(h5)) {
      return 0;
    }
    try (HdfFile f = new HdfFile(h5)) {
      return ((long[]) f.getDatasetByPath("/meta/steps").getData())[0];
    } catch (RuntimeException notYet) {
      return 0;
    }
  }
}
