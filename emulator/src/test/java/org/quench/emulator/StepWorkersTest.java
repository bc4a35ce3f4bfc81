package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.SignMode;

/**
 * Runs of 0 and 1 steps step every core as often as they should, with workers contending for
 * every share. A core that throws in the middle of a run: the run stops at that step on every thread count,
 * no worker is left waiting at the barrier, {@link StepWorkers#run} reports the first failure
 * with its core and step, and the device refuses to step on from the broken state until reset,
 * after which it computes what a fresh device does.
 */
class StepWorkersTest {
  // Generous: the machine may be paused for a while; a deadlock never ends.
  private static final Duration NO_DEADLOCK = Duration.ofMinutes(5);

  /** The cores of a random network of at least four cores, ready to step. */
  private static EmulatedCore[] cores() {
    for (long seed = 500; ; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 8, 40, 1);
      if (c.image().getCoresCount() >= 4) {
        EmulatedCore[] cores = new EmulatedNetwork(c.image(), ImageFixture.SPEC).cores;
        for (EmulatedCore core : cores) {
          core.reserveEvents(0);
        }
        return cores;
      }
    }
  }

  @Test
  void runsOfZeroAndOneStepStepEveryCoreAsOften() {
    EmulatedCore[] cores = cores();
    for (int threads = 1; threads <= 4; threads++) {
      for (EmulatedCore core : cores) {
        core.reset();
        core.neuronUpdates = 0;
      }
      try (StepWorkers workers = new StepWorkers(cores, threads)) {
        workers.contendForTest();
        long t = 0;
        for (int steps : new int[] {0, 1, 0, 1, 1, 0}) {
          workers.run(t, steps);
          t += steps;
          for (EmulatedCore core : cores) {
            assertEquals(t * core.n, core.neuronUpdates, threads + " threads, after step " + t + ": " + core.where);
          }
        }
      }
    }
  }

  /** A plan whose bias override at run step {@code step} names neuron {@code neuron}. */
  private static RunPlan.CorePlan biasAt(int steps, int step, int neuron) {
    RunPlan.CorePlan p = new RunPlan.CorePlan();
    p.biasPtr = new int[steps + 1];
    Arrays.fill(p.biasPtr, step + 1, steps + 1, 1);
    p.biasNeuron = new int[] {neuron};
    p.biasValue = new int[] {0};
    return p;
  }

  @Test
  void theFirstFailureStopsTheRunAndIsReportedOnEveryThreadCount() {
    EmulatedCore[] cores = cores();
    EmulatedCore a = cores[0];
    EmulatedCore b = cores[cores.length - 1];
    for (int threads = 1; threads <= 4; threads++) {
      for (EmulatedCore core : cores) {
        core.reset();
        core.neuronUpdates = 0;
      }
      // Core a fails in run step 2 (global step 3), core b would in run step 6.
      a.plan = biasAt(10, 2, a.n + 7);
      b.plan = biasAt(10, 6, b.n + 1000);
      try (StepWorkers workers = new StepWorkers(cores, threads)) {
        String where = threads + " threads";
        IllegalStateException e = assertTimeoutPreemptively(NO_DEADLOCK,
            () -> assertThrows(IllegalStateException.class, () -> workers.run(0, 10)), where);
        assertTrue(e.getMessage().contains(a.where + ", updating the neurons in step 3"), where + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("Index " + (a.n + 7)), where + ": " + e.getMessage());
        assertTrue(e.getCause().getCause() instanceof ArrayIndexOutOfBoundsException, where);
        for (EmulatedCore core : cores) {
          assertTrue(core.neuronUpdates <= 3L * core.n, where + ": " + core.where + " stepped on after the failure");
        }
        // Nobody is stuck at the barrier, and the barrier is in step: the same workers run again.
        a.plan = null;
        b.plan = null;
        assertTimeoutPreemptively(NO_DEADLOCK, () -> workers.run(10, 5), where);
      }
    }
  }

  @Test
  void aFailureInTheLastDeliveryIsReportedToo() {
    EmulatedCore[] cores = cores();
    EmulatedCore a = cores[1];
    for (int threads = 1; threads <= 3; threads++) {
      for (EmulatedCore core : cores) {
        core.reset();
      }
      // Host events of a 4-step run need 5 pointers: phase 2 of the last step reads past these.
      RunPlan.CorePlan p = new RunPlan.CorePlan();
      p.hostPtr = new int[4];
      p.hostAxon = new int[0];
      p.hostValue = new int[0];
      a.plan = p;
      try (StepWorkers workers = new StepWorkers(cores, threads)) {
        String where = threads + " threads";
        IllegalStateException e = assertTimeoutPreemptively(NO_DEADLOCK,
            () -> assertThrows(IllegalStateException.class, () -> workers.run(0, 4)), where);
        assertTrue(e.getMessage().contains(a.where + ", delivering the spikes of step 4"), where + ": " + e.getMessage());
        a.plan = null;
        assertTimeoutPreemptively(NO_DEADLOCK, () -> workers.run(4, 3), where);
      }
    }
  }

  /** One core of 8 neurons, a FLOOR group of 4 axons fed by port "in", each axon to every neuron. */
  private static ChipImage floorCore() {
    int[][] w = new int[8][4];
    for (int[] row : w) {
      Arrays.fill(row, 100);
    }
    return ImageFixture.single(ImageFixture.lifCore(0, 0, 8, 0, 0, 100_000, 0, 0),
        ImageFixture.dense("floor", 0, w, null, SignMode.EXCITATORY, 8, -2));
  }

  private static Stimulus everyAxon(int steps) {
    Stimulus.Builder s = Stimulus.builder(steps);
    for (int k = 0; k < steps; k++) {
      for (int a = 0; a < 4; a++) {
        s.spike(k, "in", a);
      }
    }
    return s.build();
  }

  @Test
  void aRunThatFailedHalfWayIsRefusedUntilResetAndLeavesNoPartialSums() throws Exception {
    ChipImage image = floorCore();
    Stimulus stim = everyAxon(4);
    Probe u = Probe.of(ProbeKind.U, "pop");
    int[] fresh;
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(image);
      dev.attach(u);
      fresh = dev.run(stim).trace(u).values();
    }
    assertTrue(Arrays.stream(fresh).anyMatch(x -> x != 0), "the input reaches the neurons");
    for (int threads = 1; threads <= 2; threads++) {
      try (EmulatorDevice dev = ImageFixture.device(threads)) {
        dev.load(image);
        dev.attach(u);
        // Weights held apart, one short: summing the last synapse of the last row throws after the
        // others were added into the worker's scratch.
        EmulatedCore core = dev.coreForTest(0);
        Field wide = EmulatedCore.class.getDeclaredField("wideWeights");
        wide.setAccessible(true);
        int[] shortWeights = new int[(int) core.synapseCount - 1];
        Arrays.fill(shortWeights, 1000);
        wide.set(core, shortWeights);
        IllegalStateException failed = assertTimeoutPreemptively(NO_DEADLOCK,
            () -> assertThrows(IllegalStateException.class, () -> dev.run(stim)));
        assertTrue(failed.getMessage().contains("delivering the spikes of step 1"), failed.getMessage());
        wide.set(core, null);
        QuenchException refused = assertThrows(QuenchException.class, () -> dev.run(stim));
        assertTrue(refused.getMessage().contains("the last run failed half way")
            && refused.getMessage().contains("reset() or load()"), refused.getMessage());
        dev.reset();
        RunResult again = dev.run(stim);
        assertArrayEquals(fresh, again.trace(u).values(), threads + " threads: after reset as on a fresh device");
        assertEquals(4, dev.time());
      }
    }
  }
}
