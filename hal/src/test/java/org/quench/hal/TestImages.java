package org.quench.hal;

import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.ImageHeader;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * A tiny valid image for the built-in loihi spec: an input port of 4 drives core (0,0) (4 neurons,
 * one-to-one group 'in'), whose spikes route to core (0,1) (3 neurons, dense 4x3 group 'fc1' with
 * delays 0..5), whose neurons form output port 'out'. Tests mutate it with protobuf builders.
 */
final class TestImages {
  private TestImages() {}

  static CoreAddress at(int chip, int core) {
    return CoreAddress.newBuilder().setChip(chip).setCore(core).build();
  }

  static ChipImage tiny() {
    ChipSpec loihi = ChipSpec.loihi();
    ImageHeader header = ImageHeader.newBuilder()
        .setFormatVersion(1)
        .setSpecName("loihi")
        .setSpecHash(loihi.hash())
        .setCompilerVersion("quench-test 0")
        .setSourceModel("tiny.net")
        .setSourceModelHash(ChipImages.sha256(new byte[] {1, 2, 3}))
        .putOptions("weight-bits", "8")
        .putOptions("chip", "loihi")
        .setChipCount(1)
        .setDescription("two-core fixture")
        .build();
    Core input = Core.newBuilder()
        .setAddress(at(0, 0))
        .addDecayProfiles(DecayProfile.newBuilder().setDu(-1).setDv(0))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(10))
        .setNeuronCount(4)
        .addAllDecayIndex(java.util.List.of(0, 0, 0, 0))
        .addAllThresholdIndex(java.util.List.of(0, 0, 0, 0))
        .addAllBiasMant(java.util.List.of(0, 1, 2, 3))
        .addAxonGroups(AxonGroup.newBuilder()
            .setName("in").setKind(ConnectionKind.DENSE).setAxonFirst(0).setAxonCount(4)
            .setSignMode(SignMode.EXCITATORY).setNumWeightBits(8).setWeightExp(0)
            .addAllRowPtr(java.util.List.of(0, 1, 2, 3, 4))
            .addAllTarget(java.util.List.of(0, 1, 2, 3))
            .addAllWeight(java.util.List.of(10, 20, 30, 40)))
        .addRoutes(Route.newBuilder().setNeuronFirst(0).setNeuronCount(4).setDest(at(0, 1))
            .setAxonFirst(0))
        .build();
    AxonGroup.Builder fc1 = AxonGroup.newBuilder()
        .setName("fc1").setKind(ConnectionKind.DENSE).setAxonFirst(0).setAxonCount(4)
        .setSignMode(SignMode.MIXED).setNumWeightBits(8).setWeightExp(-1);
    fc1.addRowPtr(0);
    for (int axon = 0; axon < 4; axon++) {
      for (int neuron = 0; neuron < 3; neuron++) {
        fc1.addTarget(neuron);
        fc1.addWeight((axon * 3 + neuron) % 2 == 0 ? 50 + axon : -40 - neuron);
        fc1.addDelay((axon + neuron) % 6);
      }
      fc1.addRowPtr((axon + 1) * 3);
    }
    Core hidden = Core.newBuilder()
        .setAddress(at(0, 1))
        .addDecayProfiles(DecayProfile.newBuilder().setDu(2047).setDv(100))
        .addDecayProfiles(DecayProfile.newBuilder().setDu(0).setDv(4096).setRefractory(2)
            .setResetInterval(8).setResetOffset(1))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(256))
        .setNeuronCount(3)
        .addAllDecayIndex(java.util.List.of(0, 1, 0))
        .addAllThresholdIndex(java.util.List.of(0, 0, 0))
        .addAllBiasMant(java.util.List.of(-5, 0, 5))
        .addAllBiasExp(java.util.List.of(6, 6, 6))
        .addAllUInit(java.util.List.of(0, 100, -100))
        .addAllVInit(java.util.List.of(0, 0, 7))
        .addAxonGroups(fc1)
        .build();
    return ChipImage.newBuilder()
        .setHeader(header)
        .addCores(input)
        .addCores(hidden)
        .addInputs(InputPort.newBuilder().setName("in").setWidth(4)
            .addTargets(AxonRange.newBuilder().setCore(at(0, 0)).setAxonFirst(0).setCount(4)))
        .addOutputs(OutputPort.newBuilder().setName("out").setWidth(3)
            .addSources(NeuronRange.newBuilder().setCore(at(0, 1)).setNeuronFirst(0).setCount(3)))
        .addSymbols(Symbol.newBuilder().setPopulation("input").setSize(4).addShape(4)
            .addRanges(NeuronRange.newBuilder().setCore(at(0, 0)).setNeuronFirst(0).setCount(4)))
        .addSymbols(Symbol.newBuilder().setPopulation("fc1").setSize(3).addShape(3)
            .addRanges(NeuronRange.newBuilder().setCore(at(0, 1)).setNeuronFirst(0).setCount(2))
            .addRanges(NeuronRange.newBuilder().setCore(at(0, 1)).setNeuronFirst(2).setCount(1)
                .setOffset(2)))
        .build();
  }
}
