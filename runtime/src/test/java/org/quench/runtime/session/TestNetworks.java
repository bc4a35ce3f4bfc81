package org.quench.runtime.session;

import java.util.SplittableRandom;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;

/** Small compiled networks for the runtime's tests (fixed point, seeded, compiled for loihi). */
public final class TestNetworks {
  private TestNetworks() {}

  /**
   * Input port "in" (4 channels) → "hidden" (8 LIF, channel c drives neurons 2c and 2c+1) →
   * "out" (3 LIF, all-to-all from hidden); output port "out". Optional periodic reset.
   */
  public static ChipImage small(int resetInterval) {
    FixedNeurons.Builder hidden = FixedNeurons.builder(8).allDu(1024).allDv(512).allVth(40);
    FixedNeurons.Builder out = FixedNeurons.builder(3).allDu(2048).allDv(256).allVth(60);
    if (resetInterval > 0) {
      hidden.allResetInterval(resetInterval).allResetOffset(resetInterval - 1);
      out.allResetInterval(resetInterval).allResetOffset(resetInterval - 1);
    }
    Projection.Builder in = Projection.builder("in->hidden", Projection.Source.inputPort("in"), 4,
        "hidden", 8).fixed(WeightFormat.dense(SignMode.EXCITATORY));
    for (int c = 0; c < 4; c++) {
      in.fixedSynapse(c, 2 * c, 30 + 10 * c, 0).fixedSynapse(c, 2 * c + 1, 20 + 10 * c, 1);
    }
    Projection.Builder ho = Projection.builder("hidden->out", Projection.Source.population("hidden"),
        8, "out", 3).fixed(WeightFormat.dense(SignMode.EXCITATORY));
    for (int h = 0; h < 8; h++) {
      for (int o = 0; o < 3; o++) {
        ho.fixedSynapse(h, o, 10 + ((h * 7 + o * 13) % 30), 0);
      }
    }
    Network net = Network.builder("small").input(new InputPort("in", 4))
        .population(Population.of("hidden", hidden.build("hidden")))
        .population(Population.of("out", out.build("out")))
        .projection(in.build()).projection(ho.build()).output("out").build();
    return Compiler.standard().compile(net, ChipSpec.loihi()).image();
  }

  /**
   * A random recurrent reservoir: input port "in" ({@code inputs} channels) → "res"
   * ({@code size} LIF neurons with random current decays; each input reaches every neuron with a
   * random signed weight and a random delay of 0..5 steps; sparse random recurrent weights).
   * Output port "res".
   */
  public static ChipImage reservoir(int inputs, int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    // Varied current decays and input delays give the neurons different memories of the input.
    int[] decays = {256, 512, 1024, 2048, 4095};
    int[] du = new int[size];
    for (int n = 0; n < size; n++) {
      du[n] = decays[random.nextInt(decays.length)];
    }
    FixedNeurons.Builder res = FixedNeurons.builder(size).du(du).allDv(256).allVth(120);
    Projection.Builder in = Projection.builder("in->res", Projection.Source.inputPort("in"), inputs,
        "res", size).fixed(WeightFormat.dense(SignMode.MIXED));
    for (int c = 0; c < inputs; c++) {
      for (int n = 0; n < size; n++) {
        in.fixedSynapse(c, n, random.nextInt(-120, 121), random.nextInt(6));
      }
    }
    Projection.Builder rec = Projection.builder("res->res", Projection.Source.population("res"),
        size, "res", size).fixed(WeightFormat.dense(SignMode.MIXED));
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        if (a != b && random.nextInt(10) == 0) {
          rec.fixedSynapse(a, b, random.nextInt(-60, 61), random.nextInt(3));
        }
      }
    }
    Network net = Network.builder("reservoir").input(new InputPort("in", inputs))
        .population(Population.of("res", res.build("res"))).projection(in.build())
        .projection(rec.build()).output("res").build();
    return Compiler.standard().compile(net, ChipSpec.loihi()).image();
  }
}
