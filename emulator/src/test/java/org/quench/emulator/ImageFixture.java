package org.quench.emulator;

import org.quench.hal.ChipSpec;
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
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/** Small builders for test images (protobuf builders with the boring fields filled in). */
final class ImageFixture {
  static final ChipSpec SPEC = ChipSpec.loihi();

  private ImageFixture() {}

  static ChipImage.Builder image(int chips) {
    return ChipImage.newBuilder().setHeader(ImageHeader.newBuilder()
        .setFormatVersion(1)
        .setSpecName(SPEC.name())
        .setSpecHash(SPEC.hash())
        .setCompilerVersion("test")
        .setChipCount(chips));
  }

  static CoreAddress at(int chip, int core) {
    return CoreAddress.newBuilder().setChip(chip).setCore(core).build();
  }

  /** A core of n identical LIF neurons (one decay and one threshold profile). */
  static Core.Builder lifCore(int chip, int core, int n, int du, int dv, int vth, int biasMant, int biasExp) {
    Core.Builder c = Core.newBuilder()
        .setAddress(at(chip, core))
        .addDecayProfiles(DecayProfile.newBuilder().setDu(du).setDv(dv))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(vth).setKind(NeuronKind.LIF))
        .setNeuronCount(n);
    for (int i = 0; i < n; i++) {
      c.addDecayIndex(0).addThresholdIndex(0).addBiasMant(biasMant).addBiasExp(biasExp);
    }
    return c;
  }

  /**
   * An axon group from a dense matrix {@code weights[out][in]} (every entry becomes a synapse,
   * zeros included, like Lava's Dense), axons {@code axonFirst..axonFirst+in-1}.
   */
  static AxonGroup.Builder dense(String name, int axonFirst, int[][] weights, int[][] delays,
      SignMode mode, int nwb, int exp) {
    int outs = weights.length;
    int ins = weights[0].length;
    AxonGroup.Builder g = AxonGroup.newBuilder().setName(name).setAxonFirst(axonFirst).setAxonCount(ins)
        .setSignMode(mode).setNumWeightBits(nwb).setWeightExp(exp).addRowPtr(0);
    int s = 0;
    for (int in = 0; in < ins; in++) {
      for (int out = 0; out < outs; out++) {
        g.addTarget(out).addWeight(weights[out][in]);
        if (delays != null) {
          g.addDelay(delays[out][in]);
        }
        s++;
      }
      g.addRowPtr(s);
    }
    return g;
  }

  static InputPort input(String name, int width, int chip, int core, int axonFirst) {
    return InputPort.newBuilder().setName(name).setWidth(width)
        .addTargets(AxonRange.newBuilder().setCore(at(chip, core)).setAxonFirst(axonFirst).setCount(width))
        .build();
  }

  static NeuronRange range(int chip, int core, int first, int count, int offset) {
    return NeuronRange.newBuilder().setCore(at(chip, core)).setNeuronFirst(first).setCount(count)
        .setOffset(offset).build();
  }

  static Symbol symbol(String population, int chip, int core, int n) {
    return Symbol.newBuilder().setPopulation(population).setSize(n).addRanges(range(chip, core, 0, n, 0)).build();
  }

  static OutputPort output(String name, int chip, int core, int n) {
    return OutputPort.newBuilder().setName(name).setWidth(n).addSources(range(chip, core, 0, n, 0)).build();
  }

  /**
   * One core, population "pop" of the core's neurons with output port "out", input port "in" on
   * axons 0..width-1 (width = the group's axon count) when a group is given.
   */
  static ChipImage single(Core.Builder core, AxonGroup.Builder group) {
    ChipImage.Builder img = image(1);
    int n = core.getNeuronCount();
    if (group != null) {
      core.addAxonGroups(group);
      img.addInputs(input("in", group.getAxonCount(), 0, 0, group.getAxonFirst()));
    }
    return img.addCores(core).addSymbols(symbol("pop", 0, 0, n)).addOutputs(output("out", 0, 0, n)).build();
  }

  static EmulatorDevice device(int threads) {
    return new EmulatorDevice(SPEC, "test", threads);
  }
}
