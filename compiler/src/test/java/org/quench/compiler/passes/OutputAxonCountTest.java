package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;
import org.quench.hal.OutputAxons;
import org.quench.hal.proto.Core;

/** The compiler's one output-axon count agrees with hal's on images and stays exact under splits. */
class OutputAxonCountTest {
  private static final ChipSpec SMALL = PlacementTest.spec(Map.of("neuronsPerCore", 24, "coresPerChip", 4,
      "maxChips", 64));

  @Test
  void aMappingsCountIsWhatTheImageRoutesUse() {
    for (long seed = 1; seed <= 6; seed++) {
      Compiler.Result r = TrafficPartitionTest.compile(TrafficPartitionTest.randomNetwork(seed), SMALL,
          new GreedyPartition());
      Map<String, Long> inImage = new HashMap<>();
      for (Core c : r.image().getCoresList()) {
        inImage.put(c.getAddress().getChip() + "," + c.getAddress().getCore(), OutputAxons.of(c));
      }
      OutputAxonCount count = OutputAxonCount.of(r.mapping());
      long total = 0;
      for (int c = 0; c < r.mapping().cores().size(); c++) {
        Mapping.MappedCore mc = r.mapping().cores().get(c);
        assertEquals(inImage.get(mc.chip() + "," + mc.core()), count.ofCore(c), "seed " + seed + " core " + c);
        total += count.ofCore(c);
      }
      assertTrue(total > 0, "seed " + seed + ": the network sends between its populations");
    }
  }

  @Test
  void splitsKeepTheCountOfTheCoresTheyMake() {
    for (long seed = 1; seed <= 6; seed++) {
      Compiler.Result r = TrafficPartitionTest.compile(TrafficPartitionTest.randomNetwork(seed), SMALL,
          new GreedyPartition());
      Network net = r.network();
      WeightTargetCores.AxonBudget budget = new WeightTargetCores.AxonBudget(r.mapping());
      SplittableRandom rng = new SplittableRandom(seed);
      int cores = r.mapping().cores().size();
      int before = cores;
      for (int split = 0, attempt = 0; split < 12 && attempt < 500; attempt++) {
        // A random core's neurons of a random population, cut at a random point into a new core.
        int pop = rng.nextInt(net.populations().size());
        int from = rng.nextInt(cores);
        List<Integer> on = new ArrayList<>();
        for (int i = 0; i < net.populations().get(pop).size(); i++) {
          if (budget.coreOf[budget.offset[pop] + i] == from) {
            on.add(i);
          }
        }
        if (on.size() < 2) {
          continue;
        }
        int cut = 1 + rng.nextInt(on.size() - 1);
        int[] left = on.subList(0, cut).stream().mapToInt(Integer::intValue).toArray();
        int[] right = on.subList(cut, on.size()).stream().mapToInt(Integer::intValue).toArray();
        assertEquals(-1, budget.trySplit(pop, left, right, from, cores, true));
        cores++;
        split++;
        OutputAxonCount recount = OutputAxonCount.of(net, budget.coreOf.clone(), cores);
        for (int c = 0; c < cores; c++) {
          assertEquals(recount.ofCore(c), budget.axons.ofCore(c), "seed " + seed + " split " + split + " core " + c);
        }
        for (int g = 0; g < budget.coreOf.length; g++) {
          assertEquals(recount.ofNeuron(g), budget.axons.ofNeuron(g), "seed " + seed + " neuron " + g);
        }
      }
      assertEquals(before + 12, cores, "seed " + seed + ": splits made");
    }
  }
}
