package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MessageTextTest {
  @Test
  void outsideTextIsEscapedAndCapped() {
    assertEquals("lif", MessageText.shown("lif"));
    assertEquals("a\\x0ab\\x7f", MessageText.shown("a\nb\u007f"));
    String x = "x".repeat(64);
    assertEquals(x, MessageText.shown(x));
    String shown = MessageText.shown("x".repeat(100_000));
    assertEquals(x + "... (100000 characters)", shown);
    // escapes count toward the cap: 40 newlines are 160 characters shown
    assertEquals("a, b... (7 characters)", MessageText.shown("a, b, c", 4));
    String lines = MessageText.shown("\n".repeat(40));
    assertTrue(lines.endsWith("... (40 characters)") && lines.length() < 100, lines);
  }

  @Test
  void messagesAreCutSayingHowLongTheyWere() {
    assertNull(MessageText.capped(null, 5));
    assertEquals("abc", MessageText.capped("abc", 3));
    assertEquals("ab... (3 characters)", MessageText.capped("abc", 2));
  }

  @Test
  void aLibrarysMessageBecomesOneBoundedLine() {
    assertEquals("Expected BEGIN_OBJECT at line 1",
        MessageText.firstLine(new IllegalStateException(
            "com.google.gson.stream.MalformedJsonException: Expected BEGIN_OBJECT at line 1\nSee https://...")));
    assertEquals("NullPointerException", MessageText.firstLine(new NullPointerException()));
    String long1 = MessageText.firstLine(new RuntimeException("y".repeat(5000)));
    assertEquals(MessageText.LINE_CHARS + "... (5000 characters)".length(), long1.length());
  }
}
