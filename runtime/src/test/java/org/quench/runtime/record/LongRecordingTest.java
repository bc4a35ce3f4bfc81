package org.quench.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.RunResult;
import org.quench.runtime.session.RunSink;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;

/**
 * Long runs record at constant memory: a child JVM with a 64 MiB heap records more probe data than
 * its heap holds (to a .npy directory, and to one HDF5 file read back with jhdf), and a child killed mid-run leaves .npy files whose header counts exactly the rows
 * on disk. The files are read back and their first chunk compared with an in-memory run.
 */
class LongRecordingTest {
  private static final Pattern SHAPE = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)");

  @TempDir
  Path dir;

  private Process child(Path out, long steps) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx64m", "-cp",
        System.getProperty("java.class.path"), LongRecording.class.getName(), out.toString(),
        Long.toString(steps)));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile())
        .start();
  }

  /** Rows in the header, after checking the file holds exactly that many rows of the width. */
  private static long rowsOf(Path npy, int width) throws IOException {
    byte[] head = new byte[128];
    try (RandomAccessFile f = new RandomAccessFile(npy.toFile(), "r")) {
      f.readFully(head);
      Matcher m = SHAPE.matcher(new String(head, StandardCharsets.US_ASCII));
      assertTrue(m.find(), "no shape in the header of " + npy);
      long rows = Long.parseLong(m.group(1));
      assertEquals(width, Integer.parseInt(m.group(2)));
      assertTrue(f.length() >= 128 + rows * width * 4, npy + " is shorter than its header says");
      return rows;
    }
  }

  private static int[] firstRows(Path npy, int rows, int width) throws IOException {
    byte[] bytes = new byte[rows * width * 4];
    try (RandomAccessFile f = new RandomAccessFile(npy.toFile(), "r")) {
      f.seek(128);
      f.readFully(bytes);
    }
    int[] values = new int[rows * width];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(values);
    return values;
  }

  /** The same first chunk, run in this JVM without recording. */
  private static RunResult truth() {
    try (Session s = LongRecording.session()) {
      return s.run(LongRecording.input().chunk(0, LongRecording.CHUNK));
    }
  }

  private void checkStart(Path out) throws IOException {
    RunResult expected = truth();
    int w = LongRecording.SIZE;
    assertArrayEquals(expected.trace(LongRecording.V).values(),
        firstRows(out.resolve("res.v.npy"), LongRecording.CHUNK, w));
    assertArrayEquals(expected.trace(LongRecording.SPIKES).values(),
        firstRows(out.resolve("res.spikes.npy"), LongRecording.CHUNK, w));
  }

  @Test
  void moreStepsThanTheHeapHoldsRecordInFlatMemoryAndReadBack() throws Exception {
    long steps = 40_000; // 2 series x 500 neurons x 4 bytes x 40k steps = 160 MB through a 64 MiB heap
    Path out = dir.resolve("long");
    Process p = child(out, steps);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the long recording did not finish");
    String log = Files.readString(dir.resolve("child.log"));
    assertEquals(0, p.exitValue(), log);
    assertEquals(steps, rowsOf(out.resolve("res.v.npy"), LongRecording.SIZE));
    assertEquals(steps, rowsOf(out.resolve("res.spikes.npy"), LongRecording.SIZE));
    assertEquals(128 + steps * LongRecording.SIZE * 4, Files.size(out.resolve("res.v.npy")));
    checkStart(out);
  }

  @Test
  void aKilledRunLeavesEveryCompletedChunk() throws Exception {
    Path out = dir.resolve("killed");
    Process p = child(out, 10_000_000);
    Path v = out.resolve("res.v.npy");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    // Wait until at least two chunks are on disk, then kill the child without warning.
    while (!(Files.exists(v) && Files.size(v) > 128 + 2L * LongRecording.CHUNK * LongRecording.SIZE * 4)) {
      assertTrue(p.isAlive(), Files.readString(dir.resolve("child.log")));
      assertTrue(System.nanoTime() < deadline, "the child wrote nothing");
      Thread.sleep(50);
    }
    p.destroyForcibly().waitFor();
    long rows = rowsOf(v, LongRecording.SIZE);
    assertTrue(rows >= LongRecording.CHUNK && rows % LongRecording.CHUNK == 0, "rows " + rows);
    checkStart(out);
  }

  @Test
  void anHdf5RecordingOfMoreStepsThanTheHeapHoldsStreamsAndReadsBack() throws Exception {
    long steps = 40_000; // as above, into one .h5 file grown as the run goes (no expected length)
    Path out = dir.resolve("long.h5");
    Process p = child(out, steps);
    assertTrue(p.waitFor(10, TimeUnit.MINUTES), "the long recording did not finish");
    String log = Files.readString(dir.resolve("child.log"));
    assertEquals(0, p.exitValue(), log);
    RunResult first = truth();
    int w = LongRecording.SIZE;
    int[] end;
    try (Session s = Session.open("emu:loihi")) {
      // The same run without probes or recording: its state after the last step is the last row.
      s.load(TestNetworks.reservoir(LongRecording.INPUTS, w, 7)).chunkSteps(LongRecording.CHUNK);
      s.run(steps, LongRecording.input(), RunSink.discard());
      end = s.read(LongRecording.V);
    }
    try (HdfFile h5 = new HdfFile(out)) {
      assertArrayEquals(new long[] {steps}, (long[]) h5.getDatasetByPath("/meta/steps").getData());
      Dataset v = h5.getDatasetByPath("/res/v");
      assertArrayEquals(new int[] {(int) steps, w}, v.getDimensions());
      assertArrayEquals(new int[] {(int) steps, w}, h5.getDatasetByPath("/res/spikes").getDimensions());
      int[][] head = (int[][]) v.getData(new long[] {0, 0}, new int[] {LongRecording.CHUNK, w});
      int[][] spikes = (int[][]) h5.getDatasetByPath("/res/spikes")
          .getData(new long[] {0, 0}, new int[] {LongRecording.CHUNK, w});
      for (int t = 0; t < LongRecording.CHUNK; t++) {
        assertArrayEquals(Arrays.copyOfRange(first.trace(LongRecording.V).values(), t * w, (t + 1) * w), head[t]);
        assertArrayEquals(Arrays.copyOfRange(first.trace(LongRecording.SPIKES).values(), t * w, (t + 1) * w),
            spikes[t]);
      }
      int[][] last = (int[][]) v.getData(new long[] {steps - 1, 0}, new int[] {1, w});
      assertArrayEquals(end, last[0]);
    }
  }
}
