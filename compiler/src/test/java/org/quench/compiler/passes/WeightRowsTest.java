package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.HeterogeneousRecurrent;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.report.CompileOptions;
import org.quench.hal.ChipSpec;

/** Row sums give the same exponents and errors as rounding each group again. */
class WeightRowsTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  private static List<WeightRows> rows() {
    Compiler.Result r = Compiler.forNir(NirImportOptions.defaults().withDt(1e-4))
        .compile(HeterogeneousRecurrent.network(300, 11), LOIHI, CompileOptions.none());
    // The network before exponents per core: the quantize pass's requested weights and formats.
    return WeightRows.of(r.network(), LOIHI);
  }

  @Test
  void anyGroupingGivesTheErrorCoreWeightExponentsComputes() {
    Random rng = new Random(3);
    for (WeightRows w : rows()) {
      Projection p = w.projection;
      int targets = p.targetSize();
      for (int groups : new int[] {1, 3, 17, targets}) {
        int[] groupOf = new int[targets];
        for (int t = 0; t < targets; t++) {
          groupOf[t] = groups == targets ? t : rng.nextInt(groups);
        }
        CoreWeightExponents.Choice c = CoreWeightExponents.choose(p, p.requestedWeights(), t -> groupOf[t],
            groups, LOIHI);
        double sse = 0;
        for (int g = 0; g < groups; g++) {
          final int group = g;
          int[] members = java.util.stream.IntStream.range(0, targets).filter(t -> groupOf[t] == group).toArray();
          sse += members.length == 0 ? 0 : w.groupSse(members, 0, members.length);
        }
        assertEquals(c.rms(), w.rms(sse), 1e-9 * Math.max(1, c.rms()), p.name() + " in " + groups + " groups");
        if (groups == targets) {
          // One neuron per group is the floor.
          assertEquals(c.rms(), w.floor(), 1e-9, p.name());
        }
      }
    }
  }

  @Test
  void everyCutOfASortedPieceMatchesItsTwoGroupsAndNoSplitRaisesTheError() {
    for (WeightRows w : rows()) {
      int[] members = new int[w.projection.targetSize()];
      Arrays.setAll(members, t -> t);
      double whole = w.groupSse(members, 0, members.length);
      double[] cuts = w.cutSse(members);
      for (int c = 1; c < members.length; c++) {
        double direct = w.groupSse(members, 0, c) + w.groupSse(members, c, members.length);
        assertEquals(direct, cuts[c], 1e-9 * whole, w.projection.name() + " cut " + c);
        assertTrue(direct <= whole * (1 + 1e-12), "a split never raises the error: cut " + c);
        assertTrue(direct >= w.floorSse(members, 0, members.length) * (1 - 1e-12), "nor goes below the floor");
      }
    }
  }
}
