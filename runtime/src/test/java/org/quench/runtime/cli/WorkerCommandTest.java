package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code quench worker}'s settings are checked before anything listens: a join list without this
 * machine, a bad port, a thread count of zero each give one line. (Workers that do start are run
 * as child JVMs by CampaignOnClusterTest and StudyOnClusterTest.)
 */
class WorkerCommandTest {
  private static String error(String... args) {
    InProcessRun o = InProcessRun.of(args);
    String text = o.err().strip();
    assertEquals(1, o.code(), text);
    assertEquals(1, text.lines().count(), text);
    assertTrue(text.startsWith("quench: ") && !text.contains("Exception"), text);
    return text;
  }

  @Test
  void badWorkerSettingsGiveOneLine() {
    // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
    assertTrue(error("worker", "--cluster", "192.0.2.7:5701,192.0.2.8:5701")
        .contains("none of its addresses is on this machine"));
    assertTrue(error("worker", "--cluster", "127.0.0.1:http").contains("no valid port"));
    assertTrue(error("worker", "--cluster", "127.0.0.1:5701", "--threads", "0")
        .contains("--threads 0 must be at least 1"));
    assertTrue(error("worker", "--cluster", "a b:5701").contains("is not HOST or HOST:PORT"));
  }
}
