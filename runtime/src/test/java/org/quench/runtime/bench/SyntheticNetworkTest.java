package org.quench.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.Route;

class SyntheticNetworkTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  private static SyntheticNetwork build(int neurons, int synapses, long seed) {
    return SyntheticNetwork.build(new SyntheticNetwork.Shape(neurons, synapses, 0, seed), LOIHI);
  }

  @Test
  void sameSeedGivesTheSameImageBytes() {
    assertArrayEquals(ChipImages.toBytes(build(3000, 40, 9).image()),
        ChipImages.toBytes(build(3000, 40, 9).image()));
    assertNotEquals(build(3000, 40, 9).image(), build(3000, 40, 10).image());
  }

  @Test
  void imagePassesTheValidatorOfTheSpec() {
    SyntheticNetwork net = build(5000, 100, 3);
    ImageValidator.validate(net.image(), LOIHI);
    assertTrue(net.cores() > 1);
    assertEquals(net.cores(), net.image().getCoresCount());
  }

  @Test
  void defaultShapeFitsTheBudgetsOfEveryCore() {
    // 100 synapses per neuron at 24 bits each cannot hold 1000 neurons in 128 KiB: the layout
    // shrinks the cores until every budget holds, and the validator agrees.
    SyntheticNetwork net = build(100_000, 100, 1);
    assertTrue(net.neuronsPerCore() < 1000 && net.neuronsPerCore() > 300, "npc " + net.neuronsPerCore());
    int min = Integer.MAX_VALUE;
    int max = 0;
    for (Core core : net.image().getCoresList()) {
      min = Math.min(min, core.getNeuronCount());
      max = Math.max(max, core.getNeuronCount());
    }
    assertTrue(max - min <= 1, "neurons are spread evenly: " + min + ".." + max);
    assertEquals(max, net.neuronsPerCore());
    assertEquals((net.cores() + LOIHI.coresPerChip() - 1) / LOIHI.coresPerChip(), net.chips());
    ImageValidator.validate(net.image(), LOIHI);
  }

  @Test
  void everyNeuronHasExactlyItsSynapsesAcrossDistinctRoutes() {
    int perNeuron = 37;
    SyntheticNetwork net = build(4000, perNeuron, 2);
    Map<Long, Core> byAddress = new HashMap<>();
    for (Core core : net.image().getCoresList()) {
      byAddress.put(key(core.getAddress().getChip(), core.getAddress().getCore()), core);
    }
    long recurrent = 0;
    for (Core core : net.image().getCoresList()) {
      int[] outgoing = new int[core.getNeuronCount()];
      for (Route route : core.getRoutesList()) {
        Core dest = byAddress.get(key(route.getDest().getChip(), route.getDest().getCore()));
        AxonGroup group = dest.getAxonGroups(0);
        for (int k = 0; k < route.getNeuronCount(); k++) {
          int axon = route.getAxonFirst() + k;
          outgoing[route.getNeuronFirst() + k] += group.getRowPtr(axon + 1) - group.getRowPtr(axon);
        }
      }
      for (int n = 0; n < outgoing.length; n++) {
        assertEquals(perNeuron, outgoing[n], "core " + core.getAddress() + " neuron " + n);
        recurrent += outgoing[n];
      }
    }
    assertEquals(4000L * perNeuron, recurrent);
    long input = (long) net.inputWidth() * SyntheticNetwork.INPUT_ROW;
    assertEquals(recurrent + input, net.synapses());
  }

  @Test
  void profileTablesAreFilledToTheSpecLimits() {
    Core core = build(2000, 10, 4).image().getCores(0);
    assertEquals(LOIHI.decayProfilesPerCore(), core.getDecayProfilesCount());
    assertEquals(LOIHI.thresholdProfilesPerCore(), core.getThresholdProfilesCount());
    assertTrue(core.getBiasMantList().stream().distinct().count() > 50, "biases are heterogeneous");
  }

  @Test
  void forcedLayoutThatOverflowsSynapseMemoryIsRefusedWithAdvice() {
    QuenchException e = assertThrows(QuenchException.class, () -> SyntheticNetwork.build(
        new SyntheticNetwork.Shape(10_000, 100, 1000, 1), LOIHI));
    assertTrue(e.getMessage().contains("synapse memory"), e.getMessage());
    assertTrue(e.getMessage().contains("--neurons-per-core"), e.getMessage());
  }

  @Test
  void stimulusDependsOnTheAbsoluteStepOnly() {
    SyntheticNetwork net = build(2000, 10, 8);
    Stimulus whole = net.stimulus(100, 20);
    Stimulus first = net.stimulus(100, 10);
    Stimulus second = net.stimulus(110, 10);
    Stimulus.PortEvents w = whole.events().get(SyntheticNetwork.INPUT_PORT);
    Stimulus.PortEvents a = first.events().get(SyntheticNetwork.INPUT_PORT);
    Stimulus.PortEvents b = second.events().get(SyntheticNetwork.INPUT_PORT);
    assertEquals(w.steps().length, a.steps().length + b.steps().length);
    for (int i = 0; i < a.steps().length; i++) {
      assertEquals(w.steps()[i], a.steps()[i]);
      assertEquals(w.indices()[i], a.indices()[i]);
    }
    for (int i = 0; i < b.steps().length; i++) {
      assertEquals(w.steps()[a.steps().length + i], b.steps()[i] + 10);
      assertEquals(w.indices()[a.steps().length + i], b.indices()[i]);
    }
  }

  @Test
  void stimulusSpikesAtTheInputRate() {
    SyntheticNetwork net = build(20_000, 10, 8);
    int steps = 500;
    long events = net.stimulus(0, steps).eventCount();
    double expected = SyntheticNetwork.INPUT_RATE * net.inputWidth() * steps;
    // Binomial standard deviation is about sqrt(expected); allow 6 of them.
    assertTrue(Math.abs(events - expected) < 6 * Math.sqrt(expected), events + " vs " + expected);
  }

  private static long key(int chip, int core) {
    return ((long) chip << 32) | core;
  }
}
