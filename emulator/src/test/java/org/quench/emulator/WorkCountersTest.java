package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.Route;

/**
 * {@link EmulatorDevice#stats()} and {@link EmulatorDevice#interChipSpikes()} against counts made
 * here, independently of the emulator, from the image and the spikes of {@link ReferenceStepper}:
 * a route from another chip adds each of its source's spikes to the inter-chip count, a
 * delivered event (a spike on a route or a host event with a non-zero payload) adds the synapses
 * of its axon's row to the synaptic events. Short routes take the emulator's direct path (one
 * group, two bitmap words at most), long ones (over three or more words) and host events the
 * other, on every thread count and with cores that change workers every step.
 */
class WorkCountersTest {
  /** The counts a run of {@code c} must report, from the reference's spikes. */
  record Expected(long neuronUpdates, long spikes, long synapticEvents, long interChipSpikes) {}

  static Expected expected(ChipImage image, Stimulus stimulus) {
    ReferenceStepper.Trace trace = new ReferenceStepper(image).run(stimulus);
    int steps = stimulus.steps();
    long neurons = 0;
    long spikes = 0;
    long events = 0;
    long interChip = 0;
    for (int c = 0; c < image.getCoresCount(); c++) {
      Core core = image.getCores(c);
      neurons += core.getNeuronCount();
      for (int k = 0; k < steps; k++) {
        int[] s = trace.spikes()[k][c];
        for (int x : s) {
          spikes += x != 0 ? 1 : 0;
        }
        for (Route r : core.getRoutesList()) {
          Core dest = coreAt(image, r.getDest());
          for (int j = 0; j < r.getNeuronCount(); j++) {
            if (s[r.getNeuronFirst() + j] != 0) {
              events += rowLength(dest, r.getAxonFirst() + j);
              if (r.getDest().getChip() != core.getAddress().getChip()) {
                interChip++;
              }
            }
          }
        }
      }
    }
    for (Stimulus.PortEvents pe : stimulus.events().values()) {
      InputPort port = null;
      for (InputPort p : image.getInputsList()) {
        port = p.getName().equals(pe.port()) ? p : port;
      }
      for (int e = 0; e < pe.steps().length; e++) {
        int index = pe.indices()[e];
        if (pe.payloads()[e] == 0) {
          continue;
        }
        for (AxonRange r : port.getTargetsList()) {
          if (index >= r.getPortOffset() && index < r.getPortOffset() + r.getCount()) {
            events += rowLength(coreAt(image, r.getCore()), r.getAxonFirst() + index - r.getPortOffset());
          }
        }
      }
    }
    return new Expected(neurons * steps, spikes, events, interChip);
  }

  private static Core coreAt(ChipImage image, CoreAddress a) {
    for (Core c : image.getCoresList()) {
      if (c.getAddress().getChip() == a.getChip() && c.getAddress().getCore() == a.getCore()) {
        return c;
      }
    }
    throw new IllegalArgumentException("no core " + a);
  }

  /** Synapses of {@code axon}'s row on {@code core} (0 when no group holds it). */
  private static int rowLength(Core core, int axon) {
    for (AxonGroup g : core.getAxonGroupsList()) {
      int row = axon - g.getAxonFirst();
      if (row >= 0 && row < g.getAxonCount()) {
        return g.getRowPtr(row + 1) - g.getRowPtr(row);
      }
    }
    return 0;
  }

  private static void check(RandomNetworks.Case c, int threads, boolean rotate, Expected want) {
    try (EmulatorDevice dev = ImageFixture.device(threads)) {
      dev.load(c.image());
      if (rotate) {
        dev.rotateSharesForTest();
      }
      dev.run(c.stimulus());
      EmulatorDevice.Stats s = dev.stats();
      String where = "seed " + c.seed() + ", " + threads + " threads" + (rotate ? ", rotated" : "");
      assertEquals(want.neuronUpdates(), s.neuronUpdates(), where + ": neuron updates");
      assertEquals(want.spikes(), s.spikes(), where + ": spikes");
      assertEquals(want.synapticEvents(), s.synapticEvents(), where + ": synaptic events");
      assertEquals(want.interChipSpikes(), dev.interChipSpikes(), where + ": inter-chip spikes");
    }
  }

  @Test
  void countersEqualAnIndependentCountOnEveryThreadCount() {
    long interChip = 0;
    long events = 0;
    int twoChips = 0;
    for (long seed = 300; seed < 330; seed++) {
      boolean longRoutes = seed % 2 == 0;
      RandomNetworks.Case c = RandomNetworks.generate(seed, 6, 100, 40, longRoutes);
      Expected want = expected(c.image(), c.stimulus());
      interChip += want.interChipSpikes();
      events += want.synapticEvents();
      twoChips += c.image().getHeader().getChipCount() > 1 ? 1 : 0;
      check(c, 1, false, want);
      check(c, 2 + (int) (seed % 2), false, want);
      check(c, 2 + (int) ((seed / 2) % 2), true, want);
    }
    // The cases must cross chips and deliver events, or equal zeros would prove nothing.
    assertTrue(twoChips >= 8, twoChips + " cases on two chips");
    assertTrue(interChip > 1000, interChip + " inter-chip spikes");
    assertTrue(events > 100_000, events + " synaptic events");
  }
}
