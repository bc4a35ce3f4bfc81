package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/** The same bits for every thread count and every repetition. */
class ThreadDeterminismTest {
  private static RunResult runWith(RandomNetworks.Case c, int threads) {
    return runWith(c, threads, false);
  }

  private static RunResult runWith(RandomNetworks.Case c, int threads, boolean rotate) {
    return runWith(c, threads, rotate, false);
  }

  private static RunResult runWith(RandomNetworks.Case c, int threads, boolean rotate, boolean contend) {
    try (EmulatorDevice dev = ImageFixture.device(threads)) {
      dev.load(c.image());
      if (rotate) {
        dev.rotateSharesForTest();
      }
      if (contend) {
        dev.contendForTest();
      }
      for (String p : c.populations()) {
        dev.attach(Probe.of(ProbeKind.U, p));
        dev.attach(Probe.of(ProbeKind.V, p));
      }
      if (threads > 1) {
        assertTrue(dev.workerCount() > 1 || c.image().getCoresCount() == 1);
      }
      RunResult r = dev.run(c.stimulus());
      // Each core stepped exactly once a step, whichever worker took it: a core lost or taken
      // twice in some step shows in its count of neuron updates.
      for (int i = 0; i < c.image().getCoresCount(); i++) {
        EmulatedCore core = dev.coreForTest(i);
        assertEquals((long) core.n * c.stimulus().steps(), core.neuronUpdates,
            "seed " + c.seed() + " threads " + threads + " core " + i + " updates");
      }
      return r;
    }
  }

  private static void assertSame(RunResult a, RunResult b, String what) {
    RunResult.SpikeEvents x = a.output("out");
    RunResult.SpikeEvents y = b.output("out");
    assertArrayEquals(x.steps(), y.steps(), what);
    assertArrayEquals(x.indices(), y.indices(), what);
    assertArrayEquals(x.values(), y.values(), what);
    assertEquals(a.traces().keySet(), b.traces().keySet());
    for (Probe p : a.traces().keySet()) {
      assertArrayEquals(a.trace(p).values(), b.trace(p).values(), what + " " + p);
    }
  }

  private static long liveWorkers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("quench-emu-worker-") && t.isAlive()).count();
  }

  @Test
  void closeStopsTheWorkerThreads() {
    long before = liveWorkers();
    EmulatorDevice dev = ImageFixture.device(3);
    dev.load(RandomNetworks.generate(81, 10, 8, 5).image());
    int workers = dev.workerCount();
    assertTrue(workers >= 2, "several cores, several workers");
    assertEquals(before + workers - 1, liveWorkers(), "the calling thread is worker 0");
    dev.run(Stimulus.idle(3));
    dev.close();
    assertEquals(before, liveWorkers());
  }

  @Test
  void everyThreadCountGivesTheSameResult() {
    for (long seed = 77; seed < 82; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 10, 80, 60);
      RunResult one = runWith(c, 1);
      assertTrue(one.output("out").count() > 0, "the network is active");
      for (int threads = 2; threads <= 4; threads++) {
        assertSame(one, runWith(c, threads), "seed " + seed + " threads " + threads);
      }
      assertSame(one, runWith(c, 3), "seed " + seed + " repeated");
    }
  }

  /**
   * Workers take each other's cores when they finish their own share first, which depends on
   * timing. Here every core changes workers every step (its state written by one thread, read and
   * written by another after the barrier), and the result is still the same bits.
   */
  @Test
  void coresThatChangeWorkersEveryStepGiveTheSameResult() {
    for (long seed = 83; seed < 87; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 10, 80, 60);
      RunResult one = runWith(c, 1);
      assertTrue(one.output("out").count() > 0, "the network is active");
      for (int threads = 2; threads <= 3; threads++) {
        assertSame(one, runWith(c, threads, true), "seed " + seed + " threads " + threads + " rotated");
      }
    }
  }

  /**
   * Every worker takes from the backs of the other shares before its own front, so that two to
   * four workers take from each share at once, at both ends, every step (with more threads than
   * the machine has processors, in every interleaving the scheduler makes): each core is still
   * stepped exactly once a step (see runWith) and the bits are those of one thread.
   */
  @Test
  void workersTakingFromEveryShareAtOnceStepEachCoreOnce() {
    int cases = 0;
    for (long seed = 91; cases < 4; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 16, 40, 200);
      if (c.image().getCoresCount() < 6) {
        continue; // too few cores to share among four workers
      }
      cases++;
      RunResult one = runWith(c, 1);
      for (int threads = 2; threads <= 4; threads++) {
        assertSame(one, runWith(c, threads, true, true), "seed " + seed + " threads " + threads + " contending");
      }
    }
  }
}
