package org.quench.runtime.replay;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.quench.hal.QuenchException;
import org.quench.board.proto.RecordedRun;

/**
 * The on-disk form of a recorded run ({@code .qtrace}): a fixed 52-byte frame followed by one
 * serialized {@link RecordedRun} protobuf message (hal/src/main/proto/quench/hal/v1/trace.proto).
 *
 * <p>Frame: 8 bytes magic {@code "QTRACE\r\n"}, a big-endian int format version ({@value
 * #FORMAT_VERSION}), a big-endian long payload length, the 32-byte SHA-256 of the payload. The
 * length and digest are there because a protobuf cut at a field boundary still parses: without
 * them a truncated trace would replay as a shorter, silently different run.
 */
public final class TraceFile {
  /** The only format version this reader knows. */
  public static final int FORMAT_VERSION = 1;

  static final byte[] MAGIC = "QTRACE\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = 8 + 4 + 8 + 32;

  private TraceFile() {}

  /** Serializes a run with its frame. */
  public static byte[] toBytes(RecordedRun run) {
    byte[] payload = run.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    b.put(MAGIC).putInt(FORMAT_VERSION).putLong(payload.length).put(sha256(payload)).put(payload);
    return b.array();
  }

  /** Writes a trace file atomically (a temporary file beside it, then a rename). */
  public static void write(RecordedRun run, Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".part");
    try {
      Files.write(tmp, toBytes(run));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QuenchException("cannot write trace " + file + ": " + e.getMessage()
          + "; check that the directory exists and is writable");
    }
  }

  /** Reads and checks a trace file. */
  public static RecordedRun read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException("trace " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read trace " + file + ": " + e.getMessage());
    }
    return fromBytes(bytes, file.toString());
  }

  /** Parses a framed trace; {@code origin} names it in errors. */
  public static RecordedRun fromBytes(byte[] bytes, String origin) {
    String again = "; record it again with 'quench record'";
    if (bytes.length < MAGIC.length
        || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
      throw new QuenchException("trace " + origin + " is not a quench trace (no QTRACE header)"
          + "; give a file written by 'quench record'");
    }
    if (bytes.length < HEADER_BYTES) {
      throw new QuenchException("trace " + origin + " is truncated: " + bytes.length
          + " bytes, shorter than its " + HEADER_BYTES + "-byte header" + again);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.position(MAGIC.length);
    int version = b.getInt();
    if (version != FORMAT_VERSION) {
      throw new QuenchException("trace " + origin + " has format version " + version
          + "; this quench reads version " + FORMAT_VERSION + " (use a matching quench)");
    }
    long length = b.getLong();
    byte[] digest = new byte[32];
    b.get(digest);
    long present = bytes.length - HEADER_BYTES;
    if (length != present) {
      throw new QuenchException("trace " + origin + " is " + (present < length ? "truncated" : "too long")
          + ": header says " + length + " payload bytes, file has " + present + again);
    }
    byte[] payload = Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length);
    if (!Arrays.equals(digest, sha256(payload))) {
      throw new QuenchException("trace " + origin + " is corrupted: its SHA-256 does not match"
          + again);
    }
    try {
      return RecordedRun.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException("trace " + origin + " is malformed: " + e.getMessage() + again);
    }
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
