package org.quench.compiler;

import org.quench.compiler.report.CompileOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.hal.ChipSpec;

class CompilerStagesTest {
  @Test
  void theListenerHearsEveryStageOnceInOrderEndingWithEmit() {
    NirImportOptions o = NirImportOptions.defaults();
    Compiler compiler = Compiler.forNir(o);
    List<String> stages = new ArrayList<>();
    List<Integer> indices = new ArrayList<>();
    Compiler.Result r = compiler.compile(Frontends.load(NirCompileTest.real("lif_norse.nir"), o),
        ChipSpec.loihi(), CompileOptions.none(), (stage, index, count) -> {
          stages.add(stage);
          indices.add(index);
          assertEquals(compiler.stageCount(), count);
        });
    assertEquals(compiler.stageCount(), stages.size());
    for (int i = 0; i < indices.size(); i++) {
      assertEquals(i, indices.get(i));
    }
    assertEquals(List.of("partition", "place", "emit"), stages.subList(stages.size() - 3, stages.size()));
    // Every stage the listener heard is a stage the report timed.
    assertEquals(new java.util.TreeSet<>(stages), new java.util.TreeSet<>(r.report().timings().keySet()));
  }
}
