package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void quietHidesTheBar() {
    assertFalse(Progress.visible(true));
  }

  @Test
  void withoutATerminalTheBarIsHiddenAndWritesNothing() {
    // Surefire's forked JVM has no console: the bar must stay off even when not quiet.
    assertFalse(Progress.visible(false));
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(written, true, StandardCharsets.UTF_8);
    try {
      System.setOut(capture);
      System.setErr(capture);
      try (Progress p = Progress.start("work", 10, false)) {
        p.stepBy(3);
        p.stepTo(10);
        p.note("done");
      }
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertEquals("", written.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aDrawnBarShowsTaskCountPercentageAndNote() {
    List<String> frames = Collections.synchronizedList(new ArrayList<>());
    try (Progress p = Progress.drawingTo("work", 10, frames::add)) {
      p.stepBy(3);
      p.stepTo(7);
      p.resize(20);
      p.stepBy(3);
      p.note("phase two");
    }
    assertFalse(frames.isEmpty(), "the bar drew nothing");
    String last = frames.get(frames.size() - 1);
    assertTrue(last.contains("work"), last);
    assertTrue(last.contains("10/20"), last);
    assertTrue(last.contains("50%"), last);
    assertTrue(last.contains("phase two"), last);
  }
}
