package org.quench.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.encode.RateEncoder;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.io.NpyArray;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;

/** Records a real emulator run in every format and reads it back with independent readers. */
class RecorderTest {
  private static final int STEPS = 45;
  private static final Probe V = Probe.of(ProbeKind.V, "hidden");
  private static final Probe U = Probe.parse("u:hidden[2:5]");
  private static final Probe S = Probe.of(ProbeKind.SPIKES, "out");
  private static Outputs expected;

  @TempDir
  Path dir;

  private static SpikeTrains input() {
    double[][] x = new double[STEPS][4];
    for (double[] row : x) {
      java.util.Arrays.fill(row, 0.7);
    }
    return new RateEncoder(0.6, 4).encode(x, "in");
  }

  /** Runs with 10-step chunks into {@code sink}; also collects the truth once. */
  private static void run(org.quench.runtime.session.RunSink sink) {
    try (Session s = Session.open("emu:loihi")) {
      s.load(TestNetworks.small(0)).probe(V).probe(U).probe(S).chunkSteps(10);
      s.run(STEPS, input(), sink);
    }
  }

  @BeforeAll
  static void truth() {
    expected = new Outputs();
    run(expected);
    assertTrue(expected.spikeEvents("out").size() > 0, "the run should have output spikes");
  }

  private static int[][] rows(NpyArray a) {
    int[] shape = a.shape();
    int[] v = a.toInts();
    int[][] m = new int[shape[0]][shape[1]];
    for (int t = 0; t < shape[0]; t++) {
      System.arraycopy(v, t * shape[1], m[t], 0, shape[1]);
    }
    return m;
  }

  @Test
  void npyDirectoryHasOneInt32ArrayPerSeries() {
    Path out = dir.resolve("rec");
    Recorder r = Recorder.to(out);
    assertEquals(Recorder.Format.NPY_DIRECTORY, r.format());
    run(r);
    assertEquals(List.of("hidden.v", "hidden[2:5].u", "out.spikes", "out.out"), r.series());
    NpyArray v = NpyArray.read(out.resolve("hidden.v.npy"));
    assertEquals("<i4", v.dtype().descr());
    assertArrayEquals(new int[] {STEPS, 8}, v.shape());
    assertArrayEquals(expected.trace(V), rows(v));
    assertArrayEquals(expected.trace(U), rows(NpyArray.read(out.resolve("hidden[2:5].u.npy"))));
    assertArrayEquals(expected.trace(S), rows(NpyArray.read(out.resolve("out.spikes.npy"))));
    assertArrayEquals(expected.spikes("out"), rows(NpyArray.read(out.resolve("out.out.npy"))));
    assertEquals(4, r.files().size());
  }

  @Test
  void csvHasAColumnPerRecordedNeuron() throws IOException {
    Path out = dir.resolve("sub/run.csv");
    Recorder r = Recorder.to(out);
    run(r);
    List<String> lines = Files.readAllLines(out);
    assertEquals(STEPS + 1, lines.size());
    String[] header = lines.get(0).split(",");
    assertEquals(1 + 8 + 3 + 3 + 3, header.length);
    assertEquals("step", header[0]);
    assertEquals("hidden.v[0]", header[1]);
    assertEquals("hidden[2:5].u[0]", header[9]);
    int[][] v = expected.trace(V);
    int[][] u = expected.trace(U);
    for (int t = 0; t < STEPS; t++) {
      String[] f = lines.get(t + 1).split(",");
      assertEquals(t, Integer.parseInt(f[0]));
      for (int i = 0; i < 8; i++) {
        assertEquals(v[t][i], Integer.parseInt(f[1 + i]));
      }
      assertEquals(u[t][1], Integer.parseInt(f[10]));
    }
  }

  @Test
  void hdf5HasPopulationGroupsOutputsAndMetadata() {
    Path out = dir.resolve("run.h5");
    Recorder r = Recorder.to(out);
    run(r);
    try (HdfFile h5 = new HdfFile(out)) {
      assertArrayEquals(expected.trace(V), (int[][]) h5.getDatasetByPath("/hidden/v").getData());
      assertArrayEquals(expected.trace(U), (int[][]) h5.getDatasetByPath("/hidden[2:5]/u").getData());
      assertArrayEquals(expected.trace(S), (int[][]) h5.getDatasetByPath("/out/spikes").getData());
      assertArrayEquals(expected.spikes("out"),
          (int[][]) h5.getDatasetByPath("/outputs/out").getData());
      assertArrayEquals(new long[] {STEPS}, (long[]) h5.getDatasetByPath("/meta/steps").getData());
      assertArrayEquals(new long[] {0}, (long[]) h5.getDatasetByPath("/meta/first_step").getData());
    }
  }

  @Test
  void unknownTargetsAreRefused() {
    QuenchException e = assertThrows(QuenchException.class, () -> Recorder.to(dir.resolve("x.txt")));
    assertTrue(e.getMessage().contains("x.txt") && e.getMessage().contains(".h5"), e.getMessage());
  }

  @Test
  void npyHeaderIsAlignedAndParsesForLargeShapes() {
    byte[] h = Recorder.npyHeader(123456789012L, 65536);
    assertEquals(128, h.length);
    NpyArray a = NpyArray.parse(concat(Recorder.npyHeader(2, 1), new byte[] {1, 0, 0, 0, -1, -1, -1, -1}),
        "test");
    assertArrayEquals(new int[] {1, -1}, a.toInts());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void seriesThatWouldShareAFileNameAreRefusedBeforeAnythingIsWritten() throws IOException {
    // '/' becomes '_' in file names: populations a/b and a_b would both write a_b.v.npy, and the
    // second would silently overwrite the first.
    Probe slash = Probe.of(ProbeKind.V, "a/b");
    Probe underscore = Probe.of(ProbeKind.V, "a_b");
    java.util.Map<Probe, org.quench.hal.RunResult.Trace> traces = new java.util.LinkedHashMap<>();
    traces.put(slash, new org.quench.hal.RunResult.Trace(slash, 1, new int[] {1, 2}));
    traces.put(underscore, new org.quench.hal.RunResult.Trace(underscore, 1, new int[] {3, 4}));
    org.quench.hal.RunResult chunk = new org.quench.hal.RunResult(2, 0, java.util.Map.of(), traces);
    for (String target : List.of("rec", "rec.csv", "rec.h5")) {
      Path out = dir.resolve("shared-" + target);
      Recorder r = Recorder.to(out);
      QuenchException e = assertThrows(QuenchException.class, () -> r.accept(chunk));
      assertTrue(e.getMessage().contains("probe of 'a/b'") && e.getMessage().contains("probe of 'a_b'")
          && e.getMessage().contains("'a_b.v'"), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), e.getMessage());
      assertTrue(!Files.exists(out), target + " should not have been created");
    }
    // Distinct names still record both.
    Probe other = Probe.of(ProbeKind.V, "a-b");
    traces.remove(underscore);
    traces.put(other, new org.quench.hal.RunResult.Trace(other, 1, new int[] {3, 4}));
    Recorder ok = Recorder.to(dir.resolve("distinct"));
    ok.accept(new org.quench.hal.RunResult(2, 0, java.util.Map.of(), traces));
    ok.finish();
    assertArrayEquals(new int[] {1, 2}, NpyArray.read(dir.resolve("distinct").resolve("a_b.v.npy")).toInts());
    assertArrayEquals(new int[] {3, 4}, NpyArray.read(dir.resolve("distinct").resolve("a-b.v.npy")).toInts());
  }

  @Test
  void anHdf5NameTheFormatCannotHoldFailsInOneLine() {
    Probe longName = Probe.of(ProbeKind.V, "p".repeat(300));
    org.quench.hal.RunResult chunk = new org.quench.hal.RunResult(1, 0, java.util.Map.of(),
        java.util.Map.of(longName, new org.quench.hal.RunResult.Trace(longName, 1, new int[] {7})));
    Path out = dir.resolve("long.h5");
    Recorder r = Recorder.to(out);
    QuenchException e = assertThrows(QuenchException.class, () -> r.accept(chunk));
    assertTrue(e.getMessage().startsWith("cannot record to " + out) && e.getMessage().contains("255 bytes")
        && e.getMessage().contains(".npy directory"), e.getMessage());
    assertTrue(r.failed(), "the recorder should report its failure");
    assertTrue(!Files.exists(out), "no file should be left");
  }
}
