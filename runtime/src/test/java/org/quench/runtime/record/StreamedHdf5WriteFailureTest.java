package org.quench.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HDF5 recording survives a full disk at any point: while rows are written, while the header is
 * rewritten, while the datasets' regions move apart to grow or together at the end. A full disk
 * refuses writes that need new blocks and takes those to blocks the file has (a header rewritten
 * in place, data moved over data). Each run of a growing three-dataset file meets a full disk at
 * its N-th write, for every N, once for that write alone and once for good; the file left is then
 * read with jhdf and must hold exactly the rows committed before the failure, value for value.
 */
class StreamedHdf5WriteFailureTest {
  private static final int[] WIDTHS = {3, 8, 1};
  private static final String[] DATASETS = {"/pop/v", "/pop/spikes", "/outputs/port"};
  /** Rows per chunk: from room for 4 rows the file grows 4 times, then gives back 27 rows' room. */
  private static final int[] CHUNKS = {3, 5, 2, 7, 4, 6, 1, 9};

  @TempDir
  Path dir;

  /**
   * A file channel on a disk that is full at its {@code fullAt}-th write (1-based), and after it
   * too when {@code staysFull}: a write then fails if any byte it covers has never been written
   * (a hole or past the end), as a file system out of blocks refuses it; other writes succeed.
   */
  private static final class FullDiskChannel extends FileChannel {
    private final FileChannel inner;
    private final long fullAt;
    private final boolean staysFull;
    /** Bytes of the file that have blocks: written since they were last truncated away. */
    private final BitSet allocated = new BitSet();
    long writes;
    boolean refused;

    FullDiskChannel(FileChannel inner, long fullAt, boolean staysFull) {
      this.inner = inner;
      this.fullAt = fullAt;
      this.staysFull = staysFull;
    }

    private void allocate(long position, int bytes) throws IOException {
      writes++;
      boolean full = writes == fullAt || (staysFull && writes > fullAt);
      int start = Math.toIntExact(position);
      if (full && allocated.nextClearBit(start) < start + bytes) {
        refused = true;
        throw new IOException("No space left on device");
      }
      allocated.set(start, start + bytes);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      allocate(inner.position(), src.remaining());
      return inner.write(src);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      allocate(position, src.remaining());
      return inner.write(src, position);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      throw new UnsupportedOperationException("not used by StreamedHdf5");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return inner.read(dst);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return inner.read(dst, position);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return inner.read(dsts, offset, length);
    }

    @Override
    public long position() throws IOException {
      return inner.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      inner.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return inner.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      inner.truncate(size); // giving blocks back never fails for want of space
      allocated.clear(Math.toIntExact(Math.min(size, Integer.MAX_VALUE)), Integer.MAX_VALUE);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      inner.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      throw new UnsupportedOperationException("not used by StreamedHdf5");
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new UnsupportedOperationException("not used by StreamedHdf5");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("not used by StreamedHdf5");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      throw new UnsupportedOperationException("not used by StreamedHdf5");
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      throw new UnsupportedOperationException("not used by StreamedHdf5");
    }

    @Override
    protected void implCloseChannel() throws IOException {
      inner.close();
    }
  }

  private static int value(int dataset, int row, int column) {
    return dataset * 1_000_000 + row * 100 + column;
  }

  /**
   * Writes the chunks into {@code file} on a disk full at write {@code fullAt}; closes it as the
   * recorder does (in place after a failure). Returns the rows committed, the writes made and 1
   * when a write was refused.
   */
  private static long[] record(Path file, long fullAt, boolean staysFull) throws IOException {
    FullDiskChannel[] channel = new FullDiskChannel[1];
    StreamedHdf5 h5 = new StreamedHdf5(file, p -> channel[0] = new FullDiskChannel(FileChannel.open(p,
        StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING), fullAt, staysFull));
    for (int d = 0; d < DATASETS.length; d++) {
      h5.addGrowing(DATASETS[d], WIDTHS[d]);
    }
    h5.addRowCounter("/meta/steps");
    int committed = 0;
    try {
      h5.create(4);
      for (int n : CHUNKS) {
        h5.reserve(n);
        for (int d = 0; d < DATASETS.length; d++) {
          int[] rows = new int[n * WIDTHS[d]];
          for (int r = 0; r < n; r++) {
            for (int c = 0; c < WIDTHS[d]; c++) {
              rows[r * WIDTHS[d] + c] = value(d, committed + r, c);
            }
          }
          h5.write(d, rows, n);
        }
        h5.commit(n);
        committed += n;
      }
      h5.close();
    } catch (IOException full) {
      try {
        h5.closeInPlace();
      } catch (IOException stillFull) {
        channel[0].close(); // the header on disk is the last one written
      }
    }
    assertEquals(committed, h5.rows(), "the writer's count");
    return new long[] {committed, channel[0].writes, channel[0].refused ? 1 : 0};
  }

  private static void assertHolds(Path file, long rows, String where) throws IOException {
    assertEquals(Files.size(file), storedEndOfFile(file), where + ": libhdf5 refuses a file shorter than its"
        + " superblock says (\"truncated file\")");
    try (HdfFile f = new HdfFile(file)) {
      assertArrayEquals(new long[] {rows}, (long[]) f.getDatasetByPath("/meta/steps").getData(), where);
      for (int d = 0; d < DATASETS.length; d++) {
        assertArrayEquals(new int[] {(int) rows, WIDTHS[d]}, f.getDatasetByPath(DATASETS[d]).getDimensions(),
            where + " " + DATASETS[d]);
        if (rows == 0) {
          continue;
        }
        int[][] got = (int[][]) f.getDatasetByPath(DATASETS[d]).getData();
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < WIDTHS[d]; c++) {
            assertEquals(value(d, r, c), got[r][c], where + " " + DATASETS[d] + " row " + r + " column " + c);
          }
        }
      }
    }
  }

  /** The end-of-file address in a version 2 superblock (after signature, 4 bytes, base address, extension). */
  static long storedEndOfFile(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      while (b.hasRemaining()) {
        if (c.read(b, 28 + b.position()) < 0) {
          throw new IOException(file + " ends inside its superblock");
        }
      }
    }
    return b.flip().getLong();
  }

  @Test
  void aFullDiskAtAnyWriteLeavesAFileOfExactlyTheCommittedRows() throws IOException {
    Path whole = dir.resolve("whole.h5");
    long[] clean = record(whole, Long.MAX_VALUE, false);
    int total = 0;
    for (int n : CHUNKS) {
      total += n;
    }
    assertEquals(total, clean[0]);
    assertHolds(whole, total, "without a failure");
    long writes = clean[1];
    assertTrue(writes > 40, "the run makes " + writes + " writes");
    int refusedMidRun = 0;
    for (long n = 2; n <= writes; n++) { // write 1 is the first header: before it there is no file
      for (boolean stays : new boolean[] {false, true}) {
        Path file = dir.resolve("full-" + n + (stays ? "-on" : "-once") + ".h5");
        long[] run = record(file, n, stays);
        assertHolds(file, run[0], "disk full at write " + n + (stays ? " and after" : " only"));
        if (run[2] == 1 && run[0] > 0) {
          refusedMidRun++;
        }
      }
    }
    assertTrue(refusedMidRun > 10, refusedMidRun + " runs were refused a write after committing rows");
  }
}
