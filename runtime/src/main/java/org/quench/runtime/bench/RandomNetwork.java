package org.quench.runtime.bench;

import java.util.SplittableRandom;
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.ImageHeader;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * A seeded random spiking network for board tests and the remote benchmark: {@code cores} cores
 * of {@code perCore} LIF neurons (population {@code lif}, output port {@code out} over all of
 * them), input port {@code in} of {@value #INPUTS} axons fanned out to every core, and a ring of
 * recurrent routes (the first {@value #RING} neurons of each core drive the next core). Biases
 * make a good share of neurons fire on their own, so outputs are busy.
 */
public final class RandomNetwork {
  /** Axons of input port {@code in}. */
  public static final int INPUTS = 100;
  /** Neurons of each core that drive the next core. */
  public static final int RING = 100;

  private RandomNetwork() {}

  /** The network for {@code seed}: {@code cores} cores of {@code perCore} neurons each. */
  public static ChipImage image(long seed, int cores, int perCore) {
    ChipSpec spec = ChipSpec.loihi();
    SplittableRandom rnd = new SplittableRandom(seed);
    ChipImage.Builder img = ChipImage.newBuilder().setHeader(ImageHeader.newBuilder()
        .setFormatVersion(1).setSpecName(spec.name()).setSpecHash(spec.hash())
        .setCompilerVersion("RandomNetwork").setChipCount(1)
        .setDescription("random network, seed " + seed));
    InputPort.Builder in = InputPort.newBuilder().setName("in").setWidth(INPUTS);
    OutputPort.Builder out = OutputPort.newBuilder().setName("out").setWidth(cores * perCore);
    Symbol.Builder pop = Symbol.newBuilder().setPopulation("lif").setSize(cores * perCore);
    for (int k = 0; k < cores; k++) {
      CoreAddress at = CoreAddress.newBuilder().setChip(0).setCore(k).build();
      Core.Builder c = Core.newBuilder().setAddress(at).setNeuronCount(perCore)
          .addDecayProfiles(DecayProfile.newBuilder().setDu(1024).setDv(256))
          .addDecayProfiles(DecayProfile.newBuilder().setDu(2048).setDv(128))
          .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(100).setKind(NeuronKind.LIF))
          .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(160).setKind(NeuronKind.LIF));
      for (int i = 0; i < perCore; i++) {
        c.addDecayIndex(rnd.nextInt(2)).addThresholdIndex(rnd.nextInt(2))
            .addBiasMant(rnd.nextInt(120)).addBiasExp(6);
      }
      c.addAxonGroups(group("in", 0, INPUTS, perCore, 20, SignMode.EXCITATORY, rnd));
      int ring = Math.min(RING, perCore);
      c.addAxonGroups(group("ring", INPUTS, ring, perCore, 10, SignMode.MIXED, rnd));
      c.addRoutes(Route.newBuilder().setNeuronFirst(0).setNeuronCount(ring)
          .setDest(CoreAddress.newBuilder().setChip(0).setCore((k + 1) % cores))
          .setAxonFirst(INPUTS));
      img.addCores(c);
      in.addTargets(AxonRange.newBuilder().setCore(at).setAxonFirst(0).setCount(INPUTS));
      NeuronRange range = NeuronRange.newBuilder().setCore(at).setNeuronFirst(0)
          .setCount(perCore).setOffset(k * perCore).build();
      out.addSources(range);
      pop.addRanges(range);
    }
    return img.addInputs(in).addOutputs(out).addSymbols(pop).build();
  }

  /** {@code fanOut} random targets per axon, weights 8-bit (signed when MIXED). */
  private static AxonGroup group(String name, int first, int axons, int neurons, int fanOut,
      SignMode mode, SplittableRandom rnd) {
    AxonGroup.Builder g = AxonGroup.newBuilder().setName(name).setAxonFirst(first)
        .setAxonCount(axons).setSignMode(mode).setNumWeightBits(8).setWeightExp(0).addRowPtr(0);
    int s = 0;
    int[] pool = new int[neurons];
    for (int i = 0; i < neurons; i++) {
      pool[i] = i;
    }
    int perAxon = Math.min(fanOut, neurons);
    for (int a = 0; a < axons; a++) {
      for (int j = 0; j < perAxon; j++) {
        // Partial shuffle: distinct targets per axon, in random order.
        int pick = j + rnd.nextInt(neurons - j);
        int target = pool[pick];
        pool[pick] = pool[j];
        pool[j] = target;
        int w = mode == SignMode.MIXED ? rnd.nextInt(-200, 201) : rnd.nextInt(1, 256);
        g.addTarget(target).addWeight(w).addDelay(rnd.nextInt(3));
        s++;
      }
      g.addRowPtr(s);
    }
    return g.build();
  }

  /** Each input axon spikes with probability {@code permille}/1000 per step; seeded. */
  public static Stimulus stimulus(long seed, int steps, int permille) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Stimulus.Builder s = Stimulus.builder(steps);
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < INPUTS; i++) {
        if (rnd.nextInt(1000) < permille) {
          s.spike(t, "in", i);
        }
      }
    }
    return s.build();
  }
}
