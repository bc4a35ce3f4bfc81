package org.quench.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.ResetMode;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/**
 * Seeded random images and stimuli that reach every corner of the arithmetic: decays at both
 * ends, saturating biases and states, large weights and exponents of both signs, every sign mode
 * and weight width, delays up to 63, graded payloads, ternary neurons and the extensions, several
 * cores on two chips with routes in every direction. Population "p{c}" is core c's neurons.
 */
final class RandomNetworks {
  private RandomNetworks() {}

  /** A generated case; {@code populations[c]} names core c's population. */
  record Case(ChipImage image, Stimulus stimulus, List<String> populations, long seed) {}

  /**
   * @param maxCores upper bound on cores
   * @param maxNeurons upper bound on neurons per core
   * @param steps steps of the stimulus
   */
  static Case generate(long seed, int maxCores, int maxNeurons, int steps) {
    return generate(seed, maxCores, maxNeurons, steps, false);
  }

  /**
   * As above; with {@code longRoutes}, some axon groups span up to 120 axons and routes up to 100
   * neurons, so that a route's neurons cross several 32-neuron words of its source's spike bitmap.
   */
  static Case generate(long seed, int maxCores, int maxNeurons, int steps, boolean longRoutes) {
    Random rnd = new Random(seed);
    int chips = 1 + rnd.nextInt(2);
    int coreCount = 1 + rnd.nextInt(maxCores);
    ChipImage.Builder img = ImageFixture.image(chips);
    List<Core.Builder> cores = new ArrayList<>();
    List<String> pops = new ArrayList<>();
    for (int c = 0; c < coreCount; c++) {
      int n = 1 + rnd.nextInt(maxNeurons);
      cores.add(neurons(rnd, chipOf(c, chips, coreCount), coreOf(c, chips, coreCount), n));
      pops.add("p" + c);
    }
    // Axon groups on every core, then routes and input port chunks over their axons.
    InputPort.Builder in = InputPort.newBuilder().setName("in");
    List<long[]> portRanges = new ArrayList<>(); // {portOffset, count, min, max}
    int width = 0;
    int[] core0Group = null; // {first, count, min, max} of core 0's first axon group, if any
    for (int c = 0; c < coreCount; c++) {
      Core.Builder core = cores.get(c);
      int groups = rnd.nextInt(4);
      int cursor = 0;
      List<int[]> spans = new ArrayList<>(); // {first, count, min, max}
      for (int g = 0; g < groups; g++) {
        cursor += rnd.nextInt(3);
        int count = longRoutes && rnd.nextBoolean() ? 1 + rnd.nextInt(120) : 1 + rnd.nextInt(6);
        AxonGroup.Builder group = group(rnd, "g" + c + "_" + g, cursor, count, core.getNeuronCount());
        core.addAxonGroups(group);
        int nmb = group.getNumMessageBits();
        int min = nmb == 0 ? -1 : -(1 << (nmb - 1));
        int max = nmb == 0 ? 1 : (1 << (nmb - 1)) - 1;
        spans.add(new int[] {cursor, count, min, max});
        cursor += count;
      }
      if (c == 0 && !spans.isEmpty()) {
        core0Group = spans.get(0);
      }
      for (int[] span : spans) {
        int a = span[0];
        int end = span[0] + span[1];
        while (a < end) {
          int len = Math.min(end - a, longRoutes && rnd.nextInt(4) != 0 ? 1 + rnd.nextInt(100) : 1 + rnd.nextInt(4));
          if (rnd.nextBoolean()) {
            int src = rnd.nextInt(coreCount);
            int srcN = cores.get(src).getNeuronCount();
            if (srcN >= len) {
              int first = rnd.nextInt(srcN - len + 1);
              cores.get(src).addRoutes(Route.newBuilder().setNeuronFirst(first).setNeuronCount(len)
                  .setDest(ImageFixture.at(chipOf(c, chips, coreCount), coreOf(c, chips, coreCount))).setAxonFirst(a));
              a += len;
              continue;
            }
          }
          in.addTargets(AxonRange.newBuilder().setCore(ImageFixture.at(chipOf(c, chips, coreCount), coreOf(c, chips, coreCount))).setAxonFirst(a)
              .setCount(len).setPortOffset(width));
          portRanges.add(new long[] {width, len, span[2], span[3]});
          width += len;
          a += len;
        }
      }
    }
    // Fan-out: one extra range re-driving the port's first indices on core 0's first axon group
    // (the image validator requires every driven axon to lie inside an axon group). Only when the
    // payload range of those port indices suits the group, so every generated event stays legal.
    if (width > 0 && core0Group != null && rnd.nextBoolean()) {
      int len = Math.min(Math.min(width, 2), core0Group[1]);
      boolean legal = true;
      for (long[] r : portRanges) {
        if (r[0] < len && (r[2] < core0Group[2] || r[3] > core0Group[3])) {
          legal = false;
        }
      }
      if (legal) {
        in.addTargets(AxonRange.newBuilder().setCore(ImageFixture.at(0, 0)).setAxonFirst(core0Group[0])
            .setCount(len).setPortOffset(0));
      }
    }
    if (width > 0) { // a port of width 0 is not a port (the validator refuses it)
      img.addInputs(in.setWidth(width));
    }
    addCoresWithOutputs(img, cores, pops);
    Stimulus.Builder s = Stimulus.builder(steps);
    double rate = 0.1 + 0.4 * rnd.nextDouble();
    for (long[] r : portRanges) {
      for (int k = 0; k < steps; k++) {
        for (int i = 0; i < r[1]; i++) {
          if (rnd.nextDouble() < rate) {
            int min = (int) r[2];
            int max = (int) r[3];
            int payload = pick(rnd, min, max);
            s.payload(k, "in", (int) r[0] + i, payload);
          }
        }
      }
    }
    int changes = rnd.nextInt(3);
    for (int b = 0; b < changes && steps > 0; b++) {
      int c = rnd.nextInt(coreCount);
      int[] mant = new int[cores.get(c).getNeuronCount()];
      for (int i = 0; i < mant.length; i++) {
        mant[i] = rnd.nextInt(8192) - 4096;
      }
      s.bias(rnd.nextInt(steps), pops.get(c), mant);
    }
    return new Case(img.build(), s.build(), pops, seed);
  }

  private static int pick(Random rnd, int min, int max) {
    switch (rnd.nextInt(4)) {
      case 0:
        return max;
      case 1:
        return min;
      default:
        return min + (int) (rnd.nextDouble() * ((long) max - min + 1));
    }
  }

  private static int oneOf(Random rnd, int... values) {
    return values[rnd.nextInt(values.length)];
  }

  private static Core.Builder neurons(Random rnd, int chip, int coreId, int n) {
    Core.Builder core = Core.newBuilder().setAddress(ImageFixture.at(chip, coreId)).setNeuronCount(n);
    int decays = 1 + rnd.nextInt(3);
    // Half the cores use no extension at all (the emulator's fast path).
    boolean extensions = rnd.nextBoolean();
    for (int p = 0; p < decays; p++) {
      DecayProfile.Builder d = DecayProfile.newBuilder()
          .setDu(rnd.nextInt(3) == 0 ? oneOf(rnd, -1, 0, 4095, 2047) : rnd.nextInt(4097) - 1)
          .setDv(rnd.nextInt(3) == 0 ? oneOf(rnd, 0, 4096, 2048, 1) : rnd.nextInt(4097));
      if (extensions && rnd.nextInt(4) == 0) {
        d.setRefractory(1 + rnd.nextInt(5));
      }
      if (extensions && rnd.nextInt(4) == 0) {
        d.setResetMode(ResetMode.RESET_BY_SUBTRACTION);
      }
      if (rnd.nextInt(4) == 0) {
        int interval = 1 + rnd.nextInt(7);
        d.setResetInterval(interval).setResetOffset(rnd.nextInt(interval + 1) - 1);
      }
      core.addDecayProfiles(d);
    }
    int thresholds = 1 + rnd.nextInt(3);
    for (int p = 0; p < thresholds; p++) {
      ThresholdProfile.Builder t = ThresholdProfile.newBuilder()
          .setVth(rnd.nextInt(3) == 0 ? oneOf(rnd, 0, 1, 131071) : rnd.nextInt(rnd.nextBoolean() ? 200 : 131072));
      if (extensions && rnd.nextInt(3) == 0) {
        t.setKind(NeuronKind.TERNARY_LIF).setVthLo(rnd.nextBoolean() ? -rnd.nextInt(300) : -rnd.nextInt(131073));
      }
      core.addThresholdProfiles(t);
    }
    boolean exps = rnd.nextBoolean();
    boolean init = rnd.nextBoolean();
    int biasScale = oneOf(rnd, 0, 16, 4096);
    for (int i = 0; i < n; i++) {
      core.addDecayIndex(rnd.nextInt(decays)).addThresholdIndex(rnd.nextInt(thresholds));
      core.addBiasMant(biasScale == 0 ? 0 : rnd.nextInt(2 * biasScale) - biasScale);
      if (exps) {
        core.addBiasExp(rnd.nextInt(16) - 8);
      }
      if (init) {
        core.addUInit(rnd.nextInt(5) == 0 ? oneOf(rnd, 1 << 23, -(1 << 23) + 1, 0) : rnd.nextInt(1 << 24) - (1 << 23) + 1);
        core.addVInit(rnd.nextInt(5) == 0 ? oneOf(rnd, (1 << 23) - 1, -(1 << 23) + 1) : rnd.nextInt(1 << 20) - (1 << 19));
      }
    }
    return core;
  }

  private static AxonGroup.Builder group(Random rnd, String name, int first, int count, int n) {
    boolean conv = rnd.nextInt(6) == 0;
    AxonGroup.Builder g = AxonGroup.newBuilder().setName(name).setAxonFirst(first).setAxonCount(count)
        .setKind(conv ? ConnectionKind.CONV : ConnectionKind.DENSE);
    SignMode mode = SignMode.forNumber(rnd.nextInt(4));
    if (!conv) {
      g.setSignMode(mode);
      int nwb = rnd.nextInt(9);
      if (mode == SignMode.MIXED && rnd.nextInt(4) == 0) {
        nwb = 9;
      }
      g.setNumWeightBits(nwb).setWeightExp(rnd.nextInt(16) - 8);
    }
    if (rnd.nextInt(3) == 0) {
      g.setNumMessageBits(1 + rnd.nextInt(24));
    }
    boolean delays = rnd.nextBoolean();
    int maxDelay = rnd.nextBoolean() ? 63 : 3;
    int sign = rnd.nextInt(3); // 0 mixed, 1 non-negative, 2 non-positive weights
    int magnitude = oneOf(rnd, 300, 3000, 32767); // the loihi spec's 16-bit weight input range
    g.addRowPtr(0);
    int s = 0;
    for (int a = 0; a < count; a++) {
      int fan = rnd.nextInt(n + 2);
      for (int k = 0; k < fan; k++) {
        int w = rnd.nextInt(2 * magnitude + 1) - magnitude;
        if (sign == 1) {
          w = Math.abs(w);
        } else if (sign == 2) {
          w = -Math.abs(w);
        }
        g.addTarget(rnd.nextInt(n)).addWeight(w);
        if (delays) {
          g.addDelay(rnd.nextInt(maxDelay + 1));
        }
        s++;
      }
      g.addRowPtr(s);
    }
    return g;
  }

  /**
   * Adds {@code cores} in order (their addresses must grow, as chipOf/coreOf's do, which is the
   * format's (chip, core) order), population {@code pops[c]} of each core's neurons, and output
   * port "out" of every neuron, core after core.
   */
  static void addCoresWithOutputs(ChipImage.Builder img, List<Core.Builder> cores, List<String> pops) {
    OutputPort.Builder out = OutputPort.newBuilder().setName("out");
    int outWidth = 0;
    for (int c = 0; c < cores.size(); c++) {
      int n = cores.get(c).getNeuronCount();
      int chip = cores.get(c).getAddress().getChip();
      int core = cores.get(c).getAddress().getCore();
      img.addSymbols(ImageFixture.symbol(pops.get(c), chip, core, n));
      out.addSources(ImageFixture.range(chip, core, 0, n, outWidth));
      outWidth += n;
    }
    img.addOutputs(out.setWidth(outWidth));
    for (Core.Builder core : cores) {
      img.addCores(core);
    }
  }

  /** Cores spread over chips in blocks, so core index order is (chip, core) order. */
  static int chipOf(int c, int chips, int coreCount) {
    return (int) ((long) c * chips / coreCount);
  }

  static int coreOf(int c, int chips, int coreCount) {
    int chip = chipOf(c, chips, coreCount);
    int first = 0;
    while (chipOf(first, chips, coreCount) < chip) {
      first++;
    }
    return c - first;
  }
}
