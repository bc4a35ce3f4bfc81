package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.QuenchVersion;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Route;

class EmitTest {
  private static byte[] golden() {
    try (InputStream in = EmitTest.class.getResourceAsStream("/golden/netx-random-1001/random.net")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Network goldenNetwork() {
    return NetxReader.read(golden(), "random.net", NetxReader.Options.defaults());
  }

  @Test
  void sameNetworkAndOptionsGiveTheSameBytes() {
    CompileOptions o = CompileOptions.none().with("chip", "loihi").with("a", "1");
    byte[] first = Compiler.standard().compile(goldenNetwork(), ChipSpec.loihi(), o).image().toByteArray();
    byte[] second = Compiler.standard().compile(goldenNetwork(), ChipSpec.loihi(),
        CompileOptions.none().with("a", "1").with("chip", "loihi")).image().toByteArray();
    assertArrayEquals(first, second);
  }

  @Test
  void splitNetworkIsDeterministicToo() {
    ChipSpec small = PlacementTest.spec(Map.of("neuronsPerCore", 7, "coresPerChip", 4));
    byte[] first = Compiler.standard().compile(goldenNetwork(), small).image().toByteArray();
    byte[] second = Compiler.standard().compile(goldenNetwork(), small).image().toByteArray();
    assertArrayEquals(first, second);
  }

  @Test
  void headerRecordsSpecSourceAndOptions() {
    Network n = goldenNetwork();
    ChipImage img = Compiler.standard().compile(n, ChipSpec.loihi(),
        CompileOptions.none().with("sampleSteps", "none")).image();
    assertEquals(1, img.getHeader().getFormatVersion());
    assertEquals("loihi", img.getHeader().getSpecName());
    assertEquals(ChipSpec.loihi().hash(), img.getHeader().getSpecHash());
    assertEquals("random.net", img.getHeader().getSourceModel());
    assertEquals(n.provenance().sha256(), img.getHeader().getSourceModelHash());
    assertEquals("none", img.getHeader().getOptionsMap().get("sampleSteps"));
    assertEquals(QuenchVersion.project(), img.getHeader().getCompilerVersion());
    assertTrue(img.getHeader().getCompilerVersion().startsWith("0."), img.getHeader().getCompilerVersion());
  }

  /**
   * Follows every synapse of the network through the image: from the source neuron's core, along
   * a route, to an axon of the destination core, through the axon group's CSR row, to the target
   * neuron with the same weight and delay. Checked on a placement split over many cores.
   */
  @Test
  void everySynapseIsReachableThroughRoutesAndAxonGroups() {
    Network n = goldenNetwork();
    ChipSpec small = PlacementTest.spec(Map.of("neuronsPerCore", 7, "coresPerChip", 4));
    Compiler.Result r = Compiler.standard().compile(n, small);
    ChipImage img = r.image();
    Map<String, Integer> coreIndex = new HashMap<>();
    for (int c = 0; c < img.getCoresCount(); c++) {
      coreIndex.put(key(img.getCores(c)), c);
    }
    long routed = 0;
    for (Projection p : n.projections()) {
      if (p.source().isInputPort()) {
        continue;
      }
      int[][] where = place(img, p.source().name());
      int[][] targetWhere = place(img, p.target());
      for (int s = 0; s < p.sourceSize(); s++) {
        // Every (core, axon) this neuron reaches, and the group there that belongs to p.
        List<int[]> reached = new ArrayList<>();
        Core src = img.getCores(where[s][0]);
        for (Route route : src.getRoutesList()) {
          int off = where[s][1] - route.getNeuronFirst();
          if (off >= 0 && off < route.getNeuronCount()) {
            int dc = coreIndex.get(route.getDest().getChip() + "/" + route.getDest().getCore());
            reached.add(new int[] {dc, route.getAxonFirst() + off});
          }
        }
        for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
          int t = p.target(k);
          boolean found = false;
          for (int[] ax : reached) {
            if (ax[0] != targetWhere[t][0]) {
              continue;
            }
            for (AxonGroup g : img.getCores(ax[0]).getAxonGroupsList()) {
              int a = ax[1] - g.getAxonFirst();
              if (!g.getName().equals(p.name()) || a < 0 || a >= g.getAxonCount()) {
                continue;
              }
              for (int q = g.getRowPtr(a); q < g.getRowPtr(a + 1); q++) {
                if (g.getTarget(q) == targetWhere[t][1] && g.getWeight(q) == p.fixedWeight(k)
                    && (g.getDelayCount() == 0 ? 0 : g.getDelay(q)) == p.delay(k)) {
                  found = true;
                }
              }
            }
          }
          assertTrue(found, "synapse " + p.name() + " " + s + " -> " + t + " is not in the image");
          routed++;
        }
      }
    }
    long inImage = 0;
    for (Core c : img.getCoresList()) {
      for (AxonGroup g : c.getAxonGroupsList()) {
        if (!g.getName().endsWith(".input")) {
          inImage += g.getTargetCount();
        }
      }
    }
    assertEquals(routed, inImage, "the image holds exactly the network's synapses");
    assertTrue(img.getCoresCount() > 10);
  }

  @Test
  void neuronParametersLandAtTheirSymbolPositions() {
    Network n = goldenNetwork();
    ChipSpec small = PlacementTest.spec(Map.of("neuronsPerCore", 7));
    ChipImage img = Compiler.standard().compile(n, small).image();
    for (Population pop : n.populations()) {
      FixedNeurons f = pop.fixed();
      int[][] where = place(img, pop.name());
      for (int i = 0; i < pop.size(); i++) {
        Core c = img.getCores(where[i][0]);
        int l = where[i][1];
        assertEquals(f.biasMant(i), c.getBiasMant(l));
        assertEquals(f.biasExp(i), c.getBiasExp(l));
        assertEquals(f.du(i), c.getDecayProfiles(c.getDecayIndex(l)).getDu());
        assertEquals(f.dv(i), c.getDecayProfiles(c.getDecayIndex(l)).getDv());
        assertEquals(f.vth(i), c.getThresholdProfiles(c.getThresholdIndex(l)).getVth());
      }
    }
  }

  @Test
  void biasOutsideTheMantissaIsRefusedWithTheNeuron() {
    int[] bias = {0, 5000};
    Population p = Population.of("big", FixedNeurons.builder(2).allDu(0).allDv(0).allVth(1)
        .biasMant(bias).build("big"));
    Network n = Network.builder("n").population(p).build();
    String m = assertThrows(QuenchException.class, () -> Compiler.standard().compile(n, ChipSpec.loihi()))
        .getMessage();
    assertTrue(m.contains("population 'big' neuron 1") && m.contains("bias_mant 5000")
        && m.contains("-4096..4095"), m);
  }

  @Test
  void delayBeyondTheSpecIsRefused() {
    Population a = PlacementTest.pop("a", 2);
    Projection pr = Projection.builder("slow", Projection.Source.population("a"), 2, "a", 2)
        .fixed(WeightFormat.dense(SignMode.EXCITATORY)).fixedSynapse(0, 1, 4, 70).build();
    Network n = Network.builder("n").population(a).projection(pr).build();
    String m = assertThrows(QuenchException.class, () -> Compiler.standard().compile(n, ChipSpec.loihi()))
        .getMessage();
    assertTrue(m.contains("axon group 'slow'") && m.contains("delay 70") && m.contains("63"), m);
  }

  @Test
  void sampleStepsBecomePeriodicResetProfiles() {
    Network n = NetxReader.read(golden(), "random.net", NetxReader.Options.defaults().withSampleSteps(300));
    ChipImage img = Compiler.standard().compile(n, ChipSpec.loihi()).image();
    Core c = img.getCores(0);
    for (int layer = 0; layer < 4; layer++) {
      int first = img.getSymbols(layer).getRanges(0).getNeuronFirst();
      var d = c.getDecayProfiles(c.getDecayIndex(first));
      assertEquals(300, d.getResetInterval());
      assertEquals(layer - 1, d.getResetOffset());
    }
  }

  private static String key(Core c) {
    return c.getAddress().getChip() + "/" + c.getAddress().getCore();
  }

  /** Per population neuron: {core index in the image, local neuron index}, from the symbol table. */
  private static int[][] place(ChipImage img, String population) {
    Map<String, Integer> coreIndex = new HashMap<>();
    for (int c = 0; c < img.getCoresCount(); c++) {
      coreIndex.put(key(img.getCores(c)), c);
    }
    for (var s : img.getSymbolsList()) {
      if (s.getPopulation().equals(population)) {
        int[][] out = new int[s.getSize()][];
        for (NeuronRange r : s.getRangesList()) {
          for (int k = 0; k < r.getCount(); k++) {
            out[r.getOffset() + k] = new int[] {
                coreIndex.get(r.getCore().getChip() + "/" + r.getCore().getCore()), r.getNeuronFirst() + k};
          }
        }
        return out;
      }
    }
    throw new AssertionError("no symbol " + population);
  }
}
