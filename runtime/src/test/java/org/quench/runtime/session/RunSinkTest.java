package org.quench.runtime.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;

/**
 * Two sinks joined by {@link RunSink#and} are both finished even when the first one's finish
 * fails (a recording on a full disk must still let a plot or a collector close), and the first
 * failure is the one reported, the second's kept as suppressed.
 */
class RunSinkTest {
  /** Notes each finish in {@code log}, then throws {@code failure} if there is one. */
  private static RunSink finishing(String name, List<String> log, RuntimeException failure) {
    return new RunSink() {
      @Override
      public void accept(RunResult chunk) {}

      @Override
      public void finish() {
        log.add(name);
        if (failure != null) {
          throw failure;
        }
      }
    };
  }

  @Test
  void bothFinishWhenTheFirstFailsAndItsErrorIsTheOneThrown() {
    List<String> log = new ArrayList<>();
    QuenchException disk = new QuenchException("cannot write recording run.csv: full");
    RunSink both = finishing("recorder", log, disk).and(finishing("plots", log, null));
    assertSame(disk, assertThrows(QuenchException.class, both::finish));
    assertEquals(List.of("recorder", "plots"), log);
  }

  @Test
  void aSecondFailureIsKeptAsSuppressedAndASecondOneAloneIsThrown() {
    List<String> log = new ArrayList<>();
    QuenchException first = new QuenchException("first");
    IllegalStateException second = new IllegalStateException("second");
    RunSink both = finishing("a", log, first).and(finishing("b", log, second));
    assertSame(first, assertThrows(QuenchException.class, both::finish));
    assertArrayEquals(new Throwable[] {second}, first.getSuppressed());
    assertEquals(List.of("a", "b"), log);

    RunSink onlySecond = finishing("c", log, null).and(finishing("d", log, second));
    assertSame(second, assertThrows(IllegalStateException.class, onlySecond::finish));
    assertEquals(List.of("a", "b", "c", "d"), log);
  }
}
