package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ImageHeader;

class ChipImagesTest {
  @TempDir Path dir;

  private static String message(Runnable action) {
    return assertThrows(QuenchException.class, action::run).getMessage();
  }

  private static void assertMentions(String message, String... fragments) {
    for (String f : fragments) {
      assertTrue(message.contains(f), () -> "expected '" + f + "' in: " + message);
    }
  }

  /** A frame around arbitrary payload bytes, built here independently of ChipImages. */
  private static byte[] frame(int version, int flags, byte[] payload) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(48 + payload.length);
    b.put("QIMG".getBytes(StandardCharsets.US_ASCII));
    b.putShort((short) version).putShort((short) flags).putLong(payload.length);
    b.put(MessageDigest.getInstance("SHA-256").digest(payload));
    b.put(payload);
    return b.array();
  }

  @Test
  void binaryRoundTripGivesTheSameImageAndTheSameBytes() {
    ChipImage image = TestImages.tiny();
    byte[] bytes = ChipImages.toBytes(image);
    ChipImage back = ChipImages.fromBytes(bytes);
    assertEquals(image, back);
    assertArrayEquals(bytes, ChipImages.toBytes(back));
  }

  @Test
  void binaryFrameHasMagicVersionFlagsLengthAndChecksumBigEndian() throws Exception {
    ChipImage image = TestImages.tiny();
    byte[] bytes = ChipImages.toBytes(image);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte[] magic = new byte[4];
    b.get(magic);
    assertEquals("QIMG", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(1, b.getShort());
    assertEquals(0, b.getShort());
    long length = b.getLong();
    assertEquals(bytes.length - 48, length);
    byte[] sum = new byte[32];
    b.get(sum);
    byte[] payload = Arrays.copyOfRange(bytes, 48, bytes.length);
    assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), sum);
    assertEquals(image, ChipImage.parseFrom(payload));
  }

  @Test
  void equalImagesBuiltInDifferentOrderGiveEqualBytesAndJson() {
    ChipImage image = TestImages.tiny();
    ImageHeader reordered = image.getHeader().toBuilder().clearOptions()
        .putOptions("chip", "loihi").putOptions("weight-bits", "8").build();
    ChipImage other = image.toBuilder().setHeader(reordered).build();
    assertArrayEquals(ChipImages.toBytes(image), ChipImages.toBytes(other));
    assertEquals(ChipImages.toJson(image), ChipImages.toJson(other));
  }

  @Test
  void jsonRoundTripGivesTheSameImageAndTheSameText() {
    ChipImage image = TestImages.tiny();
    String json = ChipImages.toJson(image);
    ChipImage back = ChipImages.fromJson(json, "test");
    assertEquals(image, back);
    assertEquals(json, ChipImages.toJson(back));
  }

  @Test
  void jsonPrintsFieldsAtTheirDefaultValues() {
    String json = ChipImages.toJson(TestImages.tiny());
    // Core (0,0) has chip 0 and core 0, its decay profile dv 0 and reset fields 0: all printed.
    assertMentions(json, "\"chip\": 0", "\"dv\": 0", "\"resetInterval\": 0", "\"resetOffset\": 0",
        "\"resetMode\": \"RESET_TO_ZERO\"", "\"numMessageBits\": 0", "\"delay\": []");
  }

  @Test
  void fileRoundTripsInBothFormsAndReadSniffsTheForm() {
    ChipImage image = TestImages.tiny();
    Path binary = dir.resolve("tiny.qimg");
    Path json = dir.resolve("sub/tiny.json");
    ChipImages.write(image, binary);
    ChipImages.writeJson(image, json);
    assertEquals(image, ChipImages.read(binary));
    assertEquals(image, ChipImages.read(json));
  }

  @Test
  void readAcceptsJsonWithLeadingWhitespaceAndByteOrderMark() throws IOException {
    ChipImage image = TestImages.tiny();
    Path file = dir.resolve("bom.json");
    Files.write(file, ("\uFEFF \n" + ChipImages.toJson(image)).getBytes(StandardCharsets.UTF_8));
    assertEquals(image, ChipImages.read(file));
  }

  @Test
  void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("out.qimg");
    Files.writeString(file, "old content");
    ChipImage image = TestImages.tiny();
    ChipImages.write(image, file);
    assertEquals(image, ChipImages.read(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void missingFileIsNamed() {
    Path file = dir.resolve("nope.qimg");
    assertMentions(message(() -> ChipImages.read(file)), file.toString(), "does not exist");
  }

  @Test
  void fileShorterThanTheMagicIsRefused() throws IOException {
    Path file = dir.resolve("short.qimg");
    Files.write(file, new byte[] {'Q', 'I'});
    assertMentions(message(() -> ChipImages.read(file)), file.toString(), "too short", "2 bytes");
  }

  @Test
  void fileShorterThanTheHeaderIsRefused() {
    byte[] bytes = Arrays.copyOf(ChipImages.toBytes(TestImages.tiny()), 20);
    assertMentions(message(() -> ChipImages.fromBytes(bytes, "f.qimg")), "f.qimg", "too short",
        "20 bytes", "48");
  }

  @Test
  void wrongMagicIsRefusedShowingTheMagicFound() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assertMentions(message(() -> ChipImages.fromBytes(png, "pic.png")),
        "pic.png is not a Quench image (magic 0x89504e47 \".PNG\"", "QIMG");
  }

  @Test
  void aModelFileGivenAsAnImageGetsTheHintToCompileIt() {
    byte[] hdf5 = new byte[64];
    byte[] signature = {(byte) 0x89, 'H', 'D', 'F', 13, 10, 26, 10};
    System.arraycopy(signature, 0, hdf5, 0, signature.length);
    assertMentions(message(() -> ChipImages.fromBytes(hdf5, "braille.nir")),
        "braille.nir is not a Quench image", "quench compile");
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    assertFalse(message(() -> ChipImages.fromBytes(png, "pic.png")).contains("quench compile"));
  }

  @Test
  void unknownFormatVersionIsRefusedNamingTheSupportedOnes() throws Exception {
    byte[] bytes = frame(2, 0, TestImages.tiny().toByteArray());
    assertMentions(message(() -> ChipImages.fromBytes(bytes, "f")), "format version 2",
        "only version(s) [1]");
  }

  @Test
  void unknownFlagsAreRefused() throws Exception {
    byte[] bytes = frame(1, 4, TestImages.tiny().toByteArray());
    assertMentions(message(() -> ChipImages.fromBytes(bytes, "f")), "flags 0x4");
  }

  @Test
  void truncatedPayloadSaysExpectedAndFoundBytes() {
    byte[] whole = ChipImages.toBytes(TestImages.tiny());
    byte[] cut = Arrays.copyOf(whole, whole.length - 5);
    int payload = whole.length - 48;
    assertMentions(message(() -> ChipImages.fromBytes(cut, "f")), "truncated",
        "payload of " + payload + " bytes", "found " + (payload - 5));
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] whole = ChipImages.toBytes(TestImages.tiny());
    byte[] longer = Arrays.copyOf(whole, whole.length + 3);
    assertMentions(message(() -> ChipImages.fromBytes(longer, "f")), "3 trailing bytes");
  }

  @Test
  void checksumMismatchIsRefused() {
    byte[] bytes = ChipImages.toBytes(TestImages.tiny());
    bytes[bytes.length - 1] ^= 0x01;
    assertMentions(message(() -> ChipImages.fromBytes(bytes, "f")), "corrupt", "SHA-256");
  }

  @Test
  void payloadThatIsNotAProtobufIsRefused() throws Exception {
    // Field 1 (header) as a length-delimited value claiming 100 bytes that are not there.
    byte[] bytes = frame(1, 0, new byte[] {0x0a, 100, 1, 2});
    assertMentions(message(() -> ChipImages.fromBytes(bytes, "f")), "not a ChipImage protobuf");
  }

  @Test
  void headerVersionThatDisagreesWithTheFrameIsRefused() throws Exception {
    ChipImage image = TestImages.tiny();
    ChipImage v2 = image.toBuilder()
        .setHeader(image.getHeader().toBuilder().setFormatVersion(2)).build();
    byte[] bytes = frame(1, 0, v2.toByteArray());
    assertMentions(message(() -> ChipImages.fromBytes(bytes, "f")), "frame says format version 1",
        "header.format_version is 2");
  }

  @Test
  void jsonWithAnUnknownFieldIsRefusedNamingTheOriginAndField() {
    String json = ChipImages.toJson(TestImages.tiny()).replaceFirst("\\{", "{\"colour\": 3,");
    assertMentions(message(() -> ChipImages.fromJson(json, "net.json")), "net.json", "colour");
  }

  @Test
  void textThatIsNotJsonIsRefusedNamingTheOrigin() throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{ this is not json");
    assertMentions(message(() -> ChipImages.read(file)), file.toString(), "not");
  }

  @Test
  void jsonWithoutAKnownFormatVersionIsRefused() {
    assertMentions(message(() -> ChipImages.fromJson("{}", "empty.json")), "empty.json",
        "formatVersion 0", "is the header missing");
  }

  @Test
  void sha256MatchesTheStandardTestVector() {
    // FIPS 180-2 example: SHA-256("abc").
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ChipImages.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
  }
}
