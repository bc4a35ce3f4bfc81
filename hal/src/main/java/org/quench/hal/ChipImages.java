package org.quench.hal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
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
import java.util.HexFormat;
import java.util.List;
import org.quench.hal.proto.ChipImage;

/**
 * The two file forms of a {@link ChipImage}.
 *
 * <p><b>Binary</b> (big-endian): the 4 magic bytes {@code "QIMG"}, a u16 frame format version
 * ({@value #FORMAT_VERSION}), u16 flags (0), a u64 payload length in bytes, the 32-byte SHA-256 of
 * the payload, then the payload: the ChipImage protobuf, serialized deterministically (map keys
 * sorted), so the same image always gives the same bytes. The header is {@value #HEADER_BYTES}
 * bytes. A reader refuses any deviation (wrong magic, unknown version or flags, truncation, trailing
 * bytes, checksum, unparsable payload, a header.format_version that disagrees with the frame).
 *
 * <p><b>Canonical JSON</b>: protobuf's JSON mapping (lowerCamelCase names, enums by name), every
 * field printed even at its default value so that the text describes itself, map keys sorted:
 * the same image always gives the same text. Unknown fields are refused on reading.
 *
 * <p>{@link #read(Path)} accepts either form: a file whose first non-blank character is '{' is
 * JSON, anything else must be the binary form.
 */
public final class ChipImages {
  /** The frame (and header.format_version) this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** Size of the binary frame before the payload: magic, version, flags, length, SHA-256. */
  public static final int HEADER_BYTES = 4 + 2 + 2 + 8 + 32;

  private static final byte[] MAGIC = {'Q', 'I', 'M', 'G'};
  private static final List<Integer> SUPPORTED_VERSIONS = List.of(FORMAT_VERSION);

  private ChipImages() {}

  /** The binary form of {@code image} (frame plus deterministic protobuf payload). */
  public static byte[] toBytes(ChipImage image) {
    byte[] payload = payload(image);
    ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + payload.length);
    out.put(MAGIC);
    out.putShort((short) FORMAT_VERSION);
    out.putShort((short) 0);
    out.putLong(payload.length);
    out.put(digest(payload));
    out.put(payload);
    return out.array();
  }

  /** Parses the binary form; errors call the source "image bytes". */
  public static ChipImage fromBytes(byte[] bytes) {
    return fromBytes(bytes, "image bytes");
  }

  /**
   * Parses the binary form. {@code origin} (a file name, "request 7") opens every error message.
   *
   * @throws QuenchException naming what is wrong with the frame or the payload
   */
  public static ChipImage fromBytes(byte[] bytes, String origin) {
    if (bytes.length < MAGIC.length) {
      throw new QuenchException(origin + " is too short to be a Quench image (" + bytes.length
          + " bytes; the binary header alone has " + HEADER_BYTES + ")");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      // HDF5's signature starts with 0x89 'H' 'D' 'F': NIR and netx model files are HDF5.
      boolean hdf5 = magic[0] == (byte) 0x89 && magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F';
      throw new QuenchException(origin + " is not a Quench image (magic " + describeMagic(magic)
          + ", expected \"QIMG\" or a JSON image starting with '{')"
          + (hdf5 ? "; it looks like a model file (HDF5): compile it first with"
              + " 'quench compile MODEL -o IMAGE.qimg'" : ""));
    }
    if (bytes.length < HEADER_BYTES) {
      throw new QuenchException(origin + " is too short: " + bytes.length
          + " bytes, but the binary header alone has " + HEADER_BYTES + " (file truncated?)");
    }
    int version = Short.toUnsignedInt(in.getShort());
    if (!SUPPORTED_VERSIONS.contains(version)) {
      throw new QuenchException(origin + " has image format version " + version
          + ", but this Quench reads only version(s) " + SUPPORTED_VERSIONS
          + ": use the Quench release that wrote it, or recompile the model");
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
          + Long.toUnsignedString(declared) + " bytes, found " + found);
    }
    if (declared < found) {
      throw new QuenchException(origin + " has " + (found - declared)
          + " trailing bytes after its " + declared + "-byte payload (two files concatenated?)");
    }
    byte[] payload = new byte[(int) declared];
    in.get(payload);
    byte[] actualSum = digest(payload);
    if (!MessageDigest.isEqual(expectedSum, actualSum)) {
      throw new QuenchException(origin + " is corrupt: payload SHA-256 is " + hex(actualSum)
          + " but the header records " + hex(expectedSum));
    }
    ChipImage image;
    try {
      image = ChipImage.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException(origin + " has a payload that is not a ChipImage protobuf: "
          + firstLine(e));
    }
    int headerVersion = image.getHeader().getFormatVersion();
    if (headerVersion != version) {
      throw new QuenchException(origin + " is inconsistent: the frame says format version " + version
          + " but header.format_version is " + headerVersion);
    }
    return image;
  }

  /**
   * The first line of a parser's message, without the exception class Gson prefixes and the
   * troubleshooting link it appends on the next line: the rest of our message says what to do.
   */
  static String firstLine(Exception e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    int end = m.indexOf('\n');
    String line = (end < 0 ? m : m.substring(0, end)).strip();
    line = line.replaceFirst("^com\\.google\\.gson\\.stream\\.MalformedJsonException: ", "");
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** The canonical JSON form of {@code image}: deterministic, every field printed. */
  public static String toJson(ChipImage image) {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().sortingMapKeys().print(image)
          + "\n";
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields without a type registry can fail; ChipImage has none.
      throw new IllegalStateException(e);
    }
  }

  /**
   * Parses the JSON form (unknown fields refused) and checks header.format_version.
   *
   * @param origin names the source in error messages (a file name, "stdin")
   */
  public static ChipImage fromJson(String json, String origin) {
    ChipImage.Builder b = ChipImage.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException(origin + " is not a valid ChipImage JSON: " + firstLine(e));
    } catch (RuntimeException e) {
      // Gson reports malformed text with unchecked exceptions.
      throw new QuenchException(origin + " is not valid JSON: " + firstLine(e));
    }
    ChipImage image = b.build();
    int version = image.getHeader().getFormatVersion();
    if (!SUPPORTED_VERSIONS.contains(version)) {
      throw new QuenchException(origin + " has header.formatVersion " + version
          + ", but this Quench reads only version(s) " + SUPPORTED_VERSIONS
          + (version == 0 ? " (is the header missing?)" : ""));
    }
    return image;
  }

  /**
   * Reads an image file in either form (JSON if its first non-blank character is '{').
   *
   * @throws QuenchException when the file is missing, unreadable or malformed (file name included)
   */
  public static ChipImage read(Path file) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > Integer.MAX_VALUE - 64) {
        throw new QuenchException("image file " + file + " is too large (" + size + " bytes)");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException("image file " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read image file " + file + ": " + e.getMessage(), e);
    }
    String origin = "image file " + file;
    int bom = hasByteOrderMark(bytes) ? 3 : 0;
    if (looksLikeJson(bytes, bom)) {
      return fromJson(new String(bytes, bom, bytes.length - bom, StandardCharsets.UTF_8), origin);
    }
    return fromBytes(bytes, origin);
  }

  /** Writes the binary form atomically: a temporary file beside {@code file}, then a move. */
  public static void write(ChipImage image, Path file) {
    writeAtomically(toBytes(image), file);
  }

  /** Writes the canonical JSON form atomically (UTF-8). */
  public static void writeJson(ChipImage image, Path file) {
    writeAtomically(toJson(image).getBytes(StandardCharsets.UTF_8), file);
  }

  /** Lower-case hex SHA-256 of {@code bytes} (the form image headers use for hashes). */
  public static String sha256(byte[] bytes) {
    return hex(digest(bytes));
  }

  private static byte[] payload(ChipImage image) {
    byte[] payload = new byte[image.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(payload);
    // Deterministic: map entries (header.options) in key order, so equal images give equal bytes.
    out.useDeterministicSerialization();
    try {
      image.writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException("serializing into an exactly sized array failed", e);
    }
    out.checkNoSpaceLeft();
    return payload;
  }

  /** Some editors start UTF-8 text with a byte order mark; JSON parsers do not expect it. */
  private static boolean hasByteOrderMark(byte[] bytes) {
    return bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
        && (bytes[2] & 0xff) == 0xbf;
  }

  private static boolean looksLikeJson(byte[] bytes, int start) {
    int i = start;
    while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r'
        || bytes[i] == '\t')) {
      i++;
    }
    return i < bytes.length && bytes[i] == '{';
  }

  private static String describeMagic(byte[] magic) {
    StringBuilder text = new StringBuilder();
    for (byte b : magic) {
      text.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : ".");
    }
    return "0x" + HexFormat.of().formatHex(magic) + " \"" + text + "\"";
  }

  private static void writeAtomically(byte[] bytes, Path file) {
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
      throw new QuenchException("cannot write image file " + file + ": " + e.getMessage(), e);
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

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
