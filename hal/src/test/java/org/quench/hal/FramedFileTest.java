package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FramedFileTest {
  private static final FramedFile NOTES = new FramedFile("NOTE", "note file", List.of(3, 4),
      "write the note again");
  private static final byte[] PAYLOAD = "seven bytes and then some".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static String refusal(byte[] bytes) {
    return assertThrows(QuenchException.class, () -> NOTES.open(bytes, "note n.txt")).getMessage();
  }

  @Test
  void aFrameHoldsMagicVersionFlagsLengthDigestAndPayload() {
    byte[] framed = NOTES.frame(4, PAYLOAD);
    ByteBuffer b = ByteBuffer.wrap(framed);
    byte[] magic = new byte[4];
    b.get(magic);
    assertEquals("NOTE", new String(magic, StandardCharsets.US_ASCII));
    assertEquals(4, b.getShort());
    assertEquals(0, b.getShort());
    assertEquals(PAYLOAD.length, b.getLong());
    byte[] digest = new byte[32];
    b.get(digest);
    assertArrayEquals(FramedFile.sha256(PAYLOAD), digest);
    assertEquals(FramedFile.HEADER_BYTES + PAYLOAD.length, framed.length);
    FramedFile.Frame back = NOTES.open(framed, "note n.txt");
    assertEquals(4, back.version());
    assertArrayEquals(PAYLOAD, back.payload());
  }

  @Test
  void eachDamageIsNamedWithTheRemedy() {
    byte[] framed = NOTES.frame(3, PAYLOAD);
    String cut = refusal(Arrays.copyOf(framed, framed.length - 2));
    assertTrue(cut.startsWith("note n.txt is truncated") && cut.endsWith("write the note again"), cut);
    byte[] flipped = framed.clone();
    flipped[framed.length - 1] ^= 1;
    String corrupt = refusal(flipped);
    assertTrue(corrupt.contains("is corrupted") && corrupt.contains("SHA-256"), corrupt);
    byte[] longer = Arrays.copyOf(framed, framed.length + 3);
    assertTrue(refusal(longer).contains("3 trailing bytes"));
    assertTrue(refusal(Arrays.copyOf(framed, 20)).contains("too short: 20 bytes"));
    byte[] otherVersion = framed.clone();
    otherVersion[5] = 7;
    String version = refusal(otherVersion);
    assertTrue(version.contains("format version 7") && version.contains("[3, 4]"), version);
    byte[] flags = framed.clone();
    flags[7] = 2;
    assertTrue(refusal(flags).contains("flags 0x2"));
  }

  @Test
  void aForeignFileIsNotMistakenForOne() {
    byte[] image = new FramedFile("QIMG", "image", List.of(1), "again").frame(1, PAYLOAD);
    assertFalse(NOTES.hasMagic(image));
    String m = refusal(image);
    assertTrue(m.contains("is not a note file") && m.contains("\"QIMG\"") && m.contains("\"NOTE\""), m);
    assertTrue(refusal(new byte[] {'N', 'O'}).contains("too short to be a note file"));
  }

  @Test
  void filesAreWrittenWholeAndReadBack() throws Exception {
    Path file = dir.resolve("sub/n.note");
    FramedFile.writeAtomically(NOTES.frame(3, PAYLOAD), file, "note");
    assertArrayEquals(PAYLOAD, NOTES.open(FramedFile.readAll(file, "note"), "note").payload());
    try (var listing = Files.list(file.getParent())) {
      assertEquals(List.of(file), listing.toList(), "no temporary file is left behind");
    }
    String missing = assertThrows(QuenchException.class,
        () -> FramedFile.readAll(dir.resolve("none.note"), "note")).getMessage();
    assertEquals("note " + dir.resolve("none.note") + " does not exist", missing);
  }
}
