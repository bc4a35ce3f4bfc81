package org.quench.runtime.record;

import io.jhdf.checksum.JenkinsLookup3HashLittle;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HDF5 file whose int32 {@code (rows, width)} datasets grow row by row while the file stays
 * readable: each growing dataset is stored contiguously in a region reserved for {@code capacity}
 * rows, and all metadata (superblock, group and dataset headers, small datasets) sit in one block
 * at the start of the file, rewritten in a single write after every {@link #commit}. A process
 * that dies between commits leaves the file as of the last commit. {@link #close()} moves the
 * regions together and truncates the file, so a finished file holds no reserved space.
 *
 * <p>The layout is the HDF5 1.10 "latest format" subset every reader understands: superblock
 * version 2, version 2 object headers, groups with compact link storage, contiguous layout
 * (version 3), fixed-point, IEEE float and fixed-length string types. See docs/recording.md.
 */
final class StreamedHdf5 implements Closeable {
  private static final long UNDEFINED = -1L;
  private static final int SUPERBLOCK_BYTES = 48;
  private static final int COPY_BLOCK = 1 << 20;

  /** A node of the file's tree: a group, a fixed dataset or a growing int32 dataset. */
  private abstract static class Node {
    long address;
  }

  private static final class Group extends Node {
    final Map<String, Node> children = new LinkedHashMap<>();
  }

  /** A dataset written once: its type, its shape ({@code null} for a scalar) and its bytes. */
  private static final class Fixed extends Node {
    final byte[] type;
    final long[] dims;
    byte[] data;
    long dataAddress;

    Fixed(byte[] type, long[] dims, byte[] data) {
      this.type = type;
      this.dims = dims;
      this.data = data;
    }
  }

  private static final class Growing extends Node {
    final int width;
    long region;

    Growing(int width) {
      this.width = width;
    }

    long rowBytes() {
      return 4L * width;
    }
  }

  /** Opens the file's channel (tests wrap it to fail writes as a full disk would). */
  interface ChannelOpener {
    FileChannel open(Path path) throws IOException;
  }

  private final Path path;
  private final ChannelOpener opener;
  private final Group root = new Group();
  private final List<Growing> growing = new ArrayList<>();
  private final List<Fixed> counters = new ArrayList<>();
  /** Every node, parents before children, as laid out by {@link #layoutHeader}. */
  private final List<Node> order = new ArrayList<>();
  private FileChannel file;
  private int headerBytes;
  private long capacity;
  private long rows;

  StreamedHdf5(Path path) {
    this(path, p -> FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
  }

  StreamedHdf5(Path path, ChannelOpener opener) {
    this.path = path;
    this.opener = opener;
  }

  /** Adds a growing int32 dataset of {@code width} columns at {@code path}; returns its index. */
  int addGrowing(String path, int width) {
    Growing g = new Growing(width);
    put(path, g);
    growing.add(g);
    return growing.size() - 1;
  }

  /** Adds a float64 dataset of shape {@code (values.length,)}. */
  void addDoubles(String path, double[] values) {
    ByteBuffer b = little(8 * values.length);
    for (double v : values) {
      b.putDouble(v);
    }
    put(path, new Fixed(float64(), new long[] {values.length}, b.array()));
  }

  /** Adds an int64 dataset of shape {@code (1,)}. */
  void addLong(String path, long value) {
    put(path, new Fixed(int64(), new long[] {1}, little(8).putLong(value).array()));
  }

  /** Adds an int64 dataset of shape {@code (1,)} that always holds the number of rows committed. */
  void addRowCounter(String path) {
    Fixed f = new Fixed(int64(), new long[] {1}, little(8).putLong(0).array());
    put(path, f);
    counters.add(f);
  }

  /** Adds a scalar fixed-length string (null-padded; ASCII, or UTF-8 when it needs it). */
  void addString(String path, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    boolean ascii = bytes.length == value.length();
    if (bytes.length == 0) {
      bytes = new byte[1];
    }
    ByteBuffer t = little(8);
    t.put((byte) 0x13).put((byte) (1 | (ascii ? 0 : 1) << 4)).put((byte) 0).put((byte) 0).putInt(bytes.length);
    put(path, new Fixed(t.array(), null, bytes));
  }

  private void put(String path, Node node) {
    if (file != null) {
      throw new IllegalStateException("the file's layout is fixed once it is created");
    }
    String[] parts = path.replaceFirst("^/", "").split("/");
    Group g = root;
    for (int i = 0; i < parts.length - 1; i++) {
      Node child = g.children.computeIfAbsent(parts[i], k -> new Group());
      if (!(child instanceof Group)) {
        throw new IllegalArgumentException(parts[i] + " in " + path + " is a dataset, not a group");
      }
      g = (Group) child;
    }
    if (g.children.putIfAbsent(parts[parts.length - 1], node) != null) {
      throw new IllegalArgumentException("two datasets at " + path);
    }
  }

  /** Creates the file with room for {@code capacityRows} rows of every growing dataset, none used. */
  void create(long capacityRows) throws IOException {
    headerBytes = layoutHeader(); // first: a name HDF5 cannot hold leaves no file open
    file = opener.open(path);
    capacity = Math.max(1, capacityRows);
    placeRegions(capacity);
    // An empty file ends at its header; the room reserved after it is claimed next, so a full disk
    // there leaves a readable empty file, never a header saying the file is longer than it is.
    writeHeader(headerBytes);
    extendTo(regionsEnd(capacity));
  }

  /** Rows committed so far. */
  long rows() {
    return rows;
  }

  /**
   * Makes room for {@code count} more rows after the committed ones; call before the {@link #write}s
   * of a chunk (growing moves only committed rows).
   */
  void reserve(long count) throws IOException {
    ensureCapacity(rows + count);
  }

  /**
   * Writes {@code count} rows of growing dataset {@code index} after the committed ones (row-major,
   * {@code count * width} values), into room made by {@link #reserve}. Not visible to readers until
   * {@link #commit}.
   */
  void write(int index, int[] values, int count) throws IOException {
    Growing g = growing.get(index);
    if (rows + count > capacity) {
      throw new IllegalStateException("reserve " + count + " rows before writing them");
    }
    ByteBuffer b = little(count * (int) g.rowBytes());
    b.asIntBuffer().put(values, 0, count * g.width);
    long at = g.region + rows * g.rowBytes();
    while (b.hasRemaining()) {
      at += file.write(b, at);
    }
  }

  /** Makes {@code added} more rows of every growing dataset part of the file, in one write. */
  void commit(long added) throws IOException {
    ensureCapacity(rows + added);
    rows += added;
    try {
      writeHeader(regionsEnd(capacity));
    } catch (IOException e) {
      rows -= added; // the file still says the rows before: so does the count
      throw e;
    }
  }

  /**
   * Moves the growing datasets' regions together (each exactly as long as its committed rows),
   * rewrites the header and truncates the file. Safe to call twice. When a write fails on the way,
   * the file is closed in place as far as it got ({@link #closeInPlace}): still whole.
   */
  @Override
  public void close() throws IOException {
    if (file == null || !file.isOpen()) {
      return;
    }
    if (rows == capacity) {
      file.close(); // nothing reserved is left: the header already says it all
      return;
    }
    try {
      long end = regionsEnd(capacity);
      long[] to = packed(rows);
      // Regions only move towards the start, so copying them in order never overwrites unread data.
      for (int i = 0; i < to.length; i++) {
        relocate(i, to[i], end);
      }
      capacity = rows;
      end = regionsEnd(rows);
      writeHeader(end);
      file.truncate(end);
    } catch (IOException e) {
      try {
        closeInPlace();
      } catch (IOException also) {
        e.addSuppressed(also);
      }
      throw e;
    } finally {
      file.close();
    }
  }

  /**
   * Closes the file without moving data (quick, for a run stopped early or a write that failed):
   * the header already holds the committed rows; the room reserved after the last dataset's rows
   * is cut off (all of it when no row was committed: the file ends at its header, as the header
   * says), the room after the others stays as holes (sparse on most file systems). Safe to call
   * twice.
   */
  void closeInPlace() throws IOException {
    if (file == null || !file.isOpen()) {
      return;
    }
    try {
      long end = headerBytes;
      for (Growing g : growing) {
        if (rows * g.rowBytes() > 0) { // an empty dataset has no place in the file
          end = Math.max(end, g.region + rows * g.rowBytes());
        }
      }
      writeHeader(end);
      file.truncate(end);
    } finally {
      file.close();
    }
  }

  private void ensureCapacity(long needed) throws IOException {
    if (needed <= capacity) {
      return;
    }
    long grown = Math.max(needed, capacity * 2);
    long end = regionsEnd(grown);
    extendTo(end);
    long[] to = packed(grown);
    // Regions only move towards the end: the last first, each copied from its end backwards.
    for (int i = to.length - 1; i >= 0; i--) {
      relocate(i, to[i], end);
    }
    capacity = grown;
    writeHeader(end);
  }

  /**
   * Moves growing dataset {@code index}'s committed rows to {@code to} and rewrites the header to
   * say so, so the file on disk is whole before and after each dataset moves. On a full disk only
   * writes to new blocks fail: the part of the destination outside the rows' present place is
   * written first (zeros), so if room runs out it runs out before a byte of the rows is
   * overwritten; the copy then only writes blocks the file already has.
   */
  private void relocate(int index, long to, long endOfFile) throws IOException {
    Growing g = growing.get(index);
    long from = g.region;
    long bytes = rows * g.rowBytes();
    if (from == to) {
      return;
    }
    if (bytes > 0) {
      if (to < from) {
        fill(to, Math.min(from, to + bytes));
        move(from, to, bytes);
      } else {
        fill(Math.max(to, from + bytes), to + bytes);
        moveBackwards(from, to, bytes);
      }
    }
    g.region = to;
    writeHeader(endOfFile);
  }

  /** Writes zeros over {@code [start, end)}, making the file system give it blocks. */
  private void fill(long start, long end) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(COPY_BLOCK, Math.max(0, end - start)));
    for (long at = start; at < end; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), end - at));
      while (zeros.hasRemaining()) {
        at += file.write(zeros, at);
      }
    }
  }

  private void placeRegions(long rowsEach) {
    long[] at = packed(rowsEach);
    for (int i = 0; i < at.length; i++) {
      growing.get(i).region = at[i];
    }
  }

  /** Where each region starts when every one holds {@code rowsEach} rows, one after another. */
  private long[] packed(long rowsEach) {
    long[] starts = new long[growing.size()];
    long at = headerBytes;
    for (int i = 0; i < starts.length; i++) {
      starts[i] = at;
      at += rowsEach * growing.get(i).rowBytes();
    }
    return starts;
  }

  private long regionsEnd(long rowsEach) {
    long at = headerBytes;
    for (Growing g : growing) {
      at += rowsEach * g.rowBytes();
    }
    return at;
  }

  /** Makes the file at least {@code length} bytes long (a sparse extension where supported). */
  private void extendTo(long length) throws IOException {
    if (file.size() < length) {
      file.write(ByteBuffer.allocate(1), length - 1);
    }
  }

  private void move(long from, long to, long bytes) throws IOException {
    if (from == to || bytes == 0) {
      return;
    }
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(COPY_BLOCK, bytes));
    for (long done = 0; done < bytes; ) {
      int n = (int) Math.min(b.capacity(), bytes - done);
      copy(b, from + done, to + done, n);
      done += n;
    }
  }

  private void moveBackwards(long from, long to, long bytes) throws IOException {
    if (from == to || bytes == 0) {
      return;
    }
    ByteBuffer b = ByteBuffer.allocate((int) Math.min(COPY_BLOCK, bytes));
    for (long left = bytes; left > 0; ) {
      int n = (int) Math.min(b.capacity(), left);
      left -= n;
      copy(b, from + left, to + left, n);
    }
  }

  private void copy(ByteBuffer b, long from, long to, int n) throws IOException {
    b.clear().limit(n);
    long at = from;
    while (b.hasRemaining()) {
      int read = file.read(b, at);
      if (read < 0) {
        throw new IOException("unexpected end of " + path + " while moving data");
      }
      at += read;
    }
    b.flip();
    at = to;
    while (b.hasRemaining()) {
      at += file.write(b, at);
    }
  }

  // ---- the header block: superblock, object headers, then the fixed datasets' bytes ----

  /** Assigns every object header and fixed dataset an address; returns the header block's size. */
  private int layoutHeader() {
    order.clear();
    collect(root, order);
    long at = SUPERBLOCK_BYTES;
    for (Node n : order) {
      n.address = at;
      at += objectHeader(n).length;
    }
    for (Node n : order) {
      if (n instanceof Fixed f) {
        f.dataAddress = at;
        at += f.data.length;
      }
    }
    return (int) at;
  }

  private static void collect(Node n, List<Node> order) {
    order.add(n);
    if (n instanceof Group g) {
      for (Node c : g.children.values()) {
        collect(c, order);
      }
    }
  }

  private void writeHeader(long endOfFile) throws IOException {
    for (Fixed f : counters) {
      f.data = little(8).putLong(rows).array();
    }
    ByteBuffer block = little(headerBytes);
    block.put(superblock(endOfFile));
    for (Node n : order) {
      block.position((int) n.address);
      block.put(objectHeader(n));
    }
    for (Node n : order) {
      if (n instanceof Fixed f) {
        block.position((int) f.dataAddress);
        block.put(f.data);
      }
    }
    block.position(0);
    long at = 0;
    while (block.hasRemaining()) {
      at += file.write(block, at);
    }
  }

  private byte[] superblock(long endOfFile) {
    ByteBuffer b = little(SUPERBLOCK_BYTES);
    b.put(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
    b.put((byte) 2).put((byte) 8).put((byte) 8).put((byte) 0);
    b.putLong(0).putLong(UNDEFINED).putLong(endOfFile).putLong(root.address);
    b.putInt(JenkinsLookup3HashLittle.hash(java.util.Arrays.copyOf(b.array(), SUPERBLOCK_BYTES - 4)));
    return b.array();
  }

  /** A version 2 object header with its messages and checksum; its size never depends on rows. */
  private byte[] objectHeader(Node n) {
    List<byte[]> messages = new ArrayList<>();
    List<Integer> types = new ArrayList<>();
    if (n instanceof Group g) {
      types.add(0x02);
      messages.add(little(18).put((byte) 0).put((byte) 0).putLong(UNDEFINED).putLong(UNDEFINED).array());
      types.add(0x0A);
      messages.add(new byte[] {0, 0});
      for (Map.Entry<String, Node> e : g.children.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        if (name.length > 255) {
          throw new IllegalArgumentException("HDF5 name longer than 255 bytes: " + e.getKey());
        }
        boolean ascii = name.length == e.getKey().length();
        ByteBuffer link = little(ascii ? 3 + name.length + 8 : 4 + name.length + 8);
        link.put((byte) 1).put((byte) (ascii ? 0 : 0x10));
        if (!ascii) {
          link.put((byte) 1);
        }
        link.put((byte) name.length).put(name).putLong(e.getValue().address);
        types.add(0x06);
        messages.add(link.array());
      }
    } else if (n instanceof Fixed f) {
      types.add(0x01);
      messages.add(dataspace(f.dims));
      types.add(0x03);
      messages.add(f.type);
      types.add(0x05);
      messages.add(fillValue());
      types.add(0x08);
      messages.add(contiguous(f.dataAddress, f.data.length));
    } else {
      Growing g = (Growing) n;
      types.add(0x01);
      messages.add(dataspace(new long[] {rows, g.width}));
      types.add(0x03);
      messages.add(int32());
      types.add(0x05);
      messages.add(fillValue());
      types.add(0x08);
      messages.add(contiguous(g.region, rows * g.rowBytes()));
    }
    int body = 0;
    for (byte[] m : messages) {
      body += 4 + m.length;
    }
    ByteBuffer b = little(4 + 1 + 1 + 4 + body + 4);
    b.put(new byte[] {'O', 'H', 'D', 'R'}).put((byte) 2).put((byte) 0x02).putInt(body);
    for (int i = 0; i < messages.size(); i++) {
      byte[] m = messages.get(i);
      b.put((byte) (int) types.get(i)).putShort((short) m.length).put((byte) 0).put(m);
    }
    b.putInt(JenkinsLookup3HashLittle.hash(java.util.Arrays.copyOf(b.array(), b.capacity() - 4)));
    return b.array();
  }

  /** Dataspace message version 2: scalar when {@code dims} is null, else simple. */
  private static byte[] dataspace(long[] dims) {
    if (dims == null) {
      return new byte[] {2, 0, 0, 0};
    }
    ByteBuffer b = little(4 + 8 * dims.length);
    b.put((byte) 2).put((byte) dims.length).put((byte) 0).put((byte) 1);
    for (long d : dims) {
      b.putLong(d);
    }
    return b.array();
  }

  /** Fill value message version 3: allocated late, written only if set, none set. */
  private static byte[] fillValue() {
    return new byte[] {3, 0x0A};
  }

  /** Data layout message version 3, contiguous; an empty dataset has no storage address. */
  private static byte[] contiguous(long address, long bytes) {
    return little(18).put((byte) 3).put((byte) 1).putLong(bytes == 0 ? UNDEFINED : address).putLong(bytes).array();
  }

  private static byte[] int32() {
    return little(12).put((byte) 0x10).put((byte) 0x08).put((byte) 0).put((byte) 0).putInt(4)
        .putShort((short) 0).putShort((short) 32).array();
  }

  private static byte[] int64() {
    return little(12).put((byte) 0x10).put((byte) 0x08).put((byte) 0).put((byte) 0).putInt(8)
        .putShort((short) 0).putShort((short) 64).array();
  }

  /** IEEE 754 double, little-endian: sign bit 63, exponent at 52 (11 bits, bias 1023), mantissa 0..51. */
  private static byte[] float64() {
    return little(20).put((byte) 0x11).put((byte) 0x20).put((byte) 63).put((byte) 0).putInt(8)
        .putShort((short) 0).putShort((short) 64).put((byte) 52).put((byte) 11).put((byte) 0)
        .put((byte) 52).putInt(1023).array();
  }

  private static ByteBuffer little(int bytes) {
    return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
  }
}
