package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void quietHidesTheBar() {
    assertFalse(Progress.visible(true));
  }

  @Test
  void withoutATerminalTheBarIsHiddenAndHarmless() {
    // Surefire's forked JVM has no console: the bar must stay off even when not quiet.
    assertFalse(Progress.visible(false));
    try (Progress p = Progress.start("work", 10, false)) {
      p.stepBy(3);
      p.stepTo(10);
      p.note("done");
    }
  }
}
