package org.quench.hal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.quench.hal.proto.ChipImage;

/**
 * The two file forms of a {@link ChipImage}.
 *
 * <p><b>Binary</b>: a {@link FramedFile} with magic {@code "QIMG"} and frame version
 * {@link QuenchVersion#imageFormat()} (u16 version, u16 flags 0, u64 payload length, the 32-byte SHA-256 of
 * the payload, big-endian), then the payload: the ChipImage protobuf, serialized deterministically (map keys
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
  /** The frame (and header.format_version) this code writes and reads: {@link QuenchVersion#imageFormat()}. */
  public static final int FORMAT_VERSION = QuenchVersion.imageFormat();

  /** Size of the binary frame before the payload: magic, version, flags, length, SHA-256. */
  public static final int HEADER_BYTES = FramedFile.HEADER_BYTES;

  private static final int MAGIC_BYTES = 4;
  private static final List<Integer> SUPPORTED_VERSIONS = List.of(FORMAT_VERSION);
  private static final FramedFile FRAME = new FramedFile("QIMG", "Quench image", SUPPORTED_VERSIONS,
      "recompile the model");

  private ChipImages() {}

  /** The binary form of {@code image} (frame plus deterministic protobuf payload). */
  public static byte[] toBytes(ChipImage image) {
    return FRAME.frame(FORMAT_VERSION, payload(image));
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
    if (bytes.length >= MAGIC_BYTES && !FRAME.hasMagic(bytes)) {
      byte[] magic = java.util.Arrays.copyOf(bytes, MAGIC_BYTES);
      // HDF5's signature starts with 0x89 'H' 'D' 'F': NIR and netx model files are HDF5.
      boolean hdf5 = magic[0] == (byte) 0x89 && magic[1] == 'H' && magic[2] == 'D' && magic[3] == 'F';
      throw new QuenchException(origin + " is not a Quench image (magic "
          + FramedFile.describeMagic(magic) + ", expected \"QIMG\" or a JSON image starting with '{')"
          + (hdf5 ? "; it looks like a model file (HDF5): compile it first with"
              + " 'quench compile MODEL -o IMAGE.qimg'" : ""));
    }
    FramedFile.Frame frame = FRAME.open(bytes, origin);
    int version = frame.version();
    byte[] payload = frame.payload();
    ChipImage image;
    try {
      image = ChipImage.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException(origin + " has a payload that is not a ChipImage protobuf: "
          + MessageText.firstLine(e));
    }
    int headerVersion = image.getHeader().getFormatVersion();
    if (headerVersion != version) {
      throw new QuenchException(origin + " is inconsistent: the frame says format version " + version
          + " but header.format_version is " + headerVersion);
    }
    return image;
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
      throw new QuenchException(origin + " is not a valid ChipImage JSON: " + MessageText.firstLine(e));
    } catch (RuntimeException e) {
      // Gson reports malformed text with unchecked exceptions.
      throw new QuenchException(origin + " is not valid JSON: " + MessageText.firstLine(e));
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
    byte[] bytes = FramedFile.readAll(file, "image file");
    String origin = "image file " + file;
    int bom = hasByteOrderMark(bytes) ? 3 : 0;
    if (looksLikeJson(bytes, bom)) {
      return fromJson(new String(bytes, bom, bytes.length - bom, StandardCharsets.UTF_8), origin);
    }
    return fromBytes(bytes, origin);
  }

  /** Writes the binary form atomically: a temporary file beside {@code file}, then a move. */
  public static void write(ChipImage image, Path file) {
    FramedFile.writeAtomically(toBytes(image), file, "image file");
  }

  /** Writes the canonical JSON form atomically (UTF-8). */
  public static void writeJson(ChipImage image, Path file) {
    FramedFile.writeAtomically(toJson(image).getBytes(StandardCharsets.UTF_8), file, "image file");
  }

  /** Lower-case hex SHA-256 of {@code bytes} (the form image headers use for hashes). */
  public static String sha256(byte[] bytes) {
    return FramedFile.hex(FramedFile.sha256(bytes));
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
}
