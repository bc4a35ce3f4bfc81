package org.quench.hal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The checked frame Quench's binary files wrap their one payload in (chip images, {@code .qimg};
 * recorded runs, {@code .qtrace}): the reader tells a truncated, corrupted or foreign file from a
 * valid one before it parses anything. Without the length and digest, a protobuf cut at a field
 * boundary would still parse, and a truncated file would read as a smaller, silently different one.
 *
 * <p>Layout (big-endian), {@value #HEADER_BYTES} bytes before the payload: 4 magic bytes naming
 * the kind of file, a u16 frame version, u16 flags (0: no version defines any), a u64 payload
 * length in bytes, the 32-byte SHA-256 of the payload; then the payload. A reader refuses any
 * deviation: wrong magic, an unknown version or flags, truncation, trailing bytes, a checksum that
 * does not match. One instance describes one kind of file; it is immutable.
 */
public final class FramedFile {
  /** Bytes before the payload: magic, version, flags, length, SHA-256. */
  public static final int HEADER_BYTES = 4 + 2 + 2 + 8 + 32;

  /**
   * A checked payload and the frame version it was written with.
   *
   * @param version the frame's version, one of the kind's readable versions
   * @param payload the bytes whose length and SHA-256 the frame recorded
   */
  public record Frame(int version, byte[] payload) {}

  private final byte[] magic;
  private final String kind;
  private final List<Integer> versions;
  private final String remedy;

  /**
   * Describes one kind of framed file.
   *
   * @param magic exactly 4 ASCII characters, e.g. {@code "QIMG"}
   * @param kind what such a file is, for messages: {@code "Quench image"}
   * @param versions the frame versions this code reads
   * @param remedy what a user does about a damaged file: {@code "recompile the model"}
   */
  public FramedFile(String magic, String kind, List<Integer> versions, String remedy) {
    this.magic = magic.getBytes(StandardCharsets.US_ASCII);
    if (this.magic.length != 4) {
      throw new IllegalArgumentException("a frame's magic has 4 characters, not '" + magic + "'");
    }
    this.kind = kind;
    this.versions = List.copyOf(versions);
    this.remedy = remedy;
  }

  /** Whether {@code bytes} start with this kind's magic. */
  public boolean hasMagic(byte[] bytes) {
    return bytes.length >= magic.length
        && Arrays.equals(bytes, 0, magic.length, magic, 0, magic.length);
  }

  /** The framed form of {@code payload}, written as frame version {@code version}. */
  public byte[] frame(int version, byte[] payload) {
    if (!versions.contains(version)) {
      throw new IllegalArgumentException(kind + " frames have versions " + versions + ", not " + version);
    }
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    out.put(magic);
    out.putShort((short) version);
    out.putShort((short) 0);
    out.putLong(payload.length);
    out.put(sha256(payload));
    out.put(payload);
    return out.array();
  }

  /**
   * Checks the frame of {@code bytes} and returns its payload.
   *
   * @param origin opens every error message: {@code "image file m.qimg"}, {@code "trace t.qtrace"}
   * @throws QuenchException naming what is wrong with the frame and what to do about it
   */
  public Frame open(byte[] bytes, String origin) {
    if (bytes.length < magic.length) {
      throw new QuenchException(origin + " is too short to be a " + kind + " (" + bytes.length
          + " bytes; the binary header alone has " + HEADER_BYTES + ")");
    }
    if (!hasMagic(bytes)) {
      throw new QuenchException(origin + " is not a " + kind + " (magic "
          + describeMagic(Arrays.copyOf(bytes, magic.length)) + ", expected \""
          + new String(magic, StandardCharsets.US_ASCII) + "\")");
    }
    if (bytes.length < HEADER_BYTES) {
      throw new QuenchException(origin + " is too short: " + bytes.length
          + " bytes, but the binary header alone has " + HEADER_BYTES + " (file truncated?); "
          + remedy);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    in.position(magic.length);
    int version = Short.toUnsignedInt(in.getShort());
    if (!versions.contains(version)) {
      throw new QuenchException(origin + " has format version " + version
          + ", but this Quench reads only version(s) " + versions
          + ": use the Quench release that wrote it, or " + remedy);
    }
    int flags = Short.toUnsignedInt(in.getShort());
    if (flags != 0) {
      throw new QuenchException(origin + " has unknown header flags 0x" + Integer.toHexString(flags)
          + " (version " + version + " defines none): written by a newer Quench?");
    }
    long declared = in.getLong();
    byte[] expectedSum = new byte[32];
    in.get(expectedSum);
    long found = bytes.length - HEADER_BYTES;
    if (declared < 0 || declared > found) {
      throw new QuenchException(origin + " is truncated: the header announces a payload of "
          + Long.toUnsignedString(declared) + " bytes, found " + found + "; " + remedy);
    }
    if (declared < found) {
      throw new QuenchException(origin + " has " + (found - declared)
          + " trailing bytes after its " + declared + "-byte payload (two files concatenated?)");
    }
    byte[] payload = Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length);
    byte[] actualSum = sha256(payload);
    if (!MessageDigest.isEqual(expectedSum, actualSum)) {
      throw new QuenchException(origin + " is corrupted: payload SHA-256 is " + hex(actualSum)
          + " but the header records " + hex(expectedSum) + "; " + remedy);
    }
    return new Frame(version, payload);
  }

  /**
   * All bytes of a file.
   *
   * @param what names the file in messages: {@code "image file"}, {@code "trace"}
   * @throws QuenchException when it is missing, unreadable or larger than an array holds
   */
  public static byte[] readAll(Path file, String what) {
    try {
      long size = Files.size(file);
      if (size > Integer.MAX_VALUE - 64) {
        throw new QuenchException(what + " " + file + " is too large (" + size + " bytes)");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code bytes} atomically: a temporary file beside {@code file}, then a move, so a
   * reader never sees half a file. Creates missing parent directories.
   *
   * @param what names the file in messages: {@code "image file"}, {@code "trace"}
   */
  public static void writeAtomically(byte[] bytes, Path file, String what) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
      Files.write(temp, bytes);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new QuenchException("cannot write " + what + " " + file + ": " + e.getMessage()
          + "; check that the directory is writable", e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed and says so; a leftover temp file is the lesser problem.
        }
      }
    }
  }

  /** The SHA-256 of {@code bytes}. */
  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Lower-case hex of {@code bytes}. */
  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** Magic bytes as hex and as text, non-printable characters shown as '.'. */
  static String describeMagic(byte[] magic) {
    StringBuilder text = new StringBuilder();
    for (byte b : magic) {
      text.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : ".");
    }
    return "0x" + HexFormat.of().formatHex(magic) + " \"" + text + "\"";
  }
}
