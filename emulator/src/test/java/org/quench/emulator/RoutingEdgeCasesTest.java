package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/**
 * The corners of routing and of the delay line that {@link RandomNetworks} rarely or never
 * builds, against {@link ReferenceStepper}: core sizes around multiples of 32 (1, 31, 32, 33, 63,
 * 64, 65, ...), routes that start at neuron 0, end at neuron n-1 or exactly at a 32-neuron word
 * boundary, routes whose axons run over two or more adjacent axon groups of different kinds
 * (binary and graded, FOLD, FLOOR and CONV), ternary sources whose -1 spikes reach graded and
 * binary groups, cores without incoming routes, largest delays 0, 1, 2^k - 1, 2^k and 63, and
 * runs cut into chunks and repeated after reset().
 */
class RoutingEdgeCasesTest {
  private static final int[] SIZES = {1, 2, 31, 32, 33, 63, 64, 65, 96, 97, 130};
  private static final int[] MAX_DELAYS = {0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63};
  private static final int STEPS = 90;
  private static final int[] CUTS = {0, 1, 2, 9, 40, 41, 77, STEPS};

  @Test
  void edgeNetworksMatchTheReferenceInChunksAndAfterReset() {
    check(1, 40, false);
  }

  /**
   * The same on a chip with 20-bit weight inputs, CONV weights up to 2^19 and cores up to 1024
   * neurons: many cores hold their weights apart from the words (the wide layout), FOLD and FLOOR
   * groups included.
   */
  @Test
  void wideWeightLayoutMatchesTooWithEveryKindOfGroup() {
    check(100, 109, true);
  }

  private static void check(long fromSeed, long toSeed, boolean wide) {
    long negativeSpikes = 0;
    long spikes = 0;
    int mixedRoutes = 0;
    int boundaryRoutes = 0;
    int wideCores = 0;
    for (long seed = fromSeed; seed <= toSeed; seed++) {
      Built b = generate(seed, wide);
      mixedRoutes += b.mixedRoutes;
      boundaryRoutes += b.boundaryRoutes;
      int threads = 1 + (int) (seed % 2);
      ReferenceStepper ref = new ReferenceStepper(b.image);
      try (EmulatorDevice dev = new EmulatorDevice(wide ? WIDE : ImageFixture.SPEC, "test", threads)) {
        dev.load(b.image);
        for (int c = 0; c < b.image.getCoresCount(); c++) {
          wideCores += dev.coreForTest(c).usesWideWeights() ? 1 : 0;
        }
        for (String p : b.populations) {
          dev.attach(Probe.of(ProbeKind.U, p));
          dev.attach(Probe.of(ProbeKind.V, p));
          dev.attach(Probe.of(ProbeKind.SPIKES, p));
        }
        for (int round = 0; round < 2; round++) {
          for (int k = 0; k + 1 < CUTS.length; k++) {
            Stimulus part = DeviceConformanceKit.slice(b.stimulus, CUTS[k], CUTS[k + 1] - CUTS[k]);
            ReferenceStepper.Trace expected = ref.run(part);
            RunResult got = dev.run(part);
            String where = "seed " + seed + " round " + round + " chunk from step " + CUTS[k];
            long[] counted = compare(expected, got, b.populations, part.steps(), where);
            spikes += counted[0];
            negativeSpikes += counted[1];
          }
          dev.reset();
          ref.reset();
        }
      }
    }
    // The cases must reach the corners they are for.
    System.out.printf("routing edges%s: %d routes over 2+ groups, %d at word or core ends, %d spikes, %d of -1,"
        + " %d wide cores%n", wide ? " (wide)" : "", mixedRoutes, boundaryRoutes, spikes, negativeSpikes, wideCores);
    if (wide) {
      // Measured: 7 wide cores, 424k spikes, 134k of them -1.
      assertTrue(wideCores >= 5, wideCores + " cores in the wide layout");
      assertTrue(spikes > 20_000 && negativeSpikes > 2_000, spikes + " spikes, " + negativeSpikes + " of -1");
      return;
    }
    // Measured: 83 routes over 2+ groups, 215 at word or core ends, 462k spikes, 107k of them -1.
    assertTrue(mixedRoutes >= 40, mixedRoutes + " routes over two or more axon groups");
    assertTrue(boundaryRoutes >= 100, boundaryRoutes + " routes ending at a word boundary or neuron n-1");
    assertTrue(spikes > 200_000, spikes + " spikes");
    assertTrue(negativeSpikes > 50_000, negativeSpikes + " -1 spikes");
  }

  /**
   * Returns {spikes, -1 spikes} of the chunk after checking u, v, spikes and the output port "out"
   * (every core's neurons in turn) of each population, core c's being {@code populations[c]}.
   */
  static long[] compare(ReferenceStepper.Trace expected, RunResult got, List<String> populations, int steps,
      String where) {
    long spikes = 0;
    long negative = 0;
    int[][] out = got.output("out").dense(steps);
    int offset = 0;
    for (int c = 0; c < populations.size(); c++) {
      String p = populations.get(c);
      RunResult.Trace u = got.trace(Probe.of(ProbeKind.U, p));
      RunResult.Trace v = got.trace(Probe.of(ProbeKind.V, p));
      RunResult.Trace s = got.trace(Probe.of(ProbeKind.SPIKES, p));
      for (int k = 0; k < steps; k++) {
        for (int i = 0; i < u.width(); i++) {
          int eu = expected.u()[k][c][i];
          int ev = expected.v()[k][c][i];
          int es = expected.spikes()[k][c][i];
          if (eu != u.at(k, i) || ev != v.at(k, i) || es != s.at(k, i) || es != out[k][offset + i]) {
            fail(where + ", step " + (k + 1) + " of the chunk, core " + c + " neuron " + i
                + ": reference (u, v, s) = (" + eu + ", " + ev + ", " + es + "), emulator (" + u.at(k, i)
                + ", " + v.at(k, i) + ", " + s.at(k, i) + "), output port " + out[k][offset + i]);
          }
          spikes += es != 0 ? 1 : 0;
          negative += es < 0 ? 1 : 0;
        }
      }
      offset += u.width();
    }
    return new long[] {spikes, negative};
  }

  private record Built(ChipImage image, Stimulus stimulus, List<String> populations, int mixedRoutes,
      int boundaryRoutes) {}

  private static final ChipSpec WIDE = ChipSpec.of(ChipSpec.loihi().data().toBuilder()
      .setName("loihi-wide").setWeightInputBits(20).build());
  private static final int[] WIDE_SIZES = {1, 33, 65, 513, 1024};

  private static Built generate(long seed, boolean wide) {
    Random rnd = new Random(seed);
    int chips = 1 + rnd.nextInt(2);
    int coreCount = 2 + rnd.nextInt(4);
    ChipImage.Builder img = ImageFixture.image(chips);
    if (wide) {
      img.setHeader(img.getHeader().toBuilder().setSpecName(WIDE.name()).setSpecHash(WIDE.hash()));
    }
    List<Core.Builder> cores = new ArrayList<>();
    List<String> pops = new ArrayList<>();
    for (int c = 0; c < coreCount; c++) {
      cores.add(neurons(rnd, RandomNetworks.chipOf(c, chips, coreCount), RandomNetworks.coreOf(c, chips, coreCount),
          wide ? WIDE_SIZES[rnd.nextInt(WIDE_SIZES.length)] : SIZES[rnd.nextInt(SIZES.length)]));
      pops.add("p" + c);
    }
    int mixed = 0;
    int boundary = 0;
    InputPort.Builder in = InputPort.newBuilder().setName("in");
    int width = 0;
    for (int c = 0; c < coreCount; c++) {
      Core.Builder core = cores.get(c);
      // One core in four has no axon groups, so no incoming route and no input.
      if (rnd.nextInt(4) == 0) {
        continue;
      }
      int n = core.getNeuronCount();
      int maxDelay = MAX_DELAYS[rnd.nextInt(MAX_DELAYS.length)];
      // Adjacent groups, no gap: a route may run over several of them.
      int groups = 1 + rnd.nextInt(4);
      int cursor = 0;
      List<int[]> spans = new ArrayList<>(); // {first, count, graded}
      for (int g = 0; g < groups; g++) {
        int count = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 70);
        AxonGroup.Builder group = group(rnd, "g" + c + "_" + g, cursor, count, n, wide,
            g == 0 ? maxDelay : rnd.nextInt(maxDelay + 1));
        core.addAxonGroups(group);
        spans.add(new int[] {cursor, count, group.getNumMessageBits()});
        cursor += count;
      }
      int total = cursor;
      // Routes over [0, total): each from a random source with an edge-case neuron range.
      int a = 0;
      while (a < total) {
        int src = rnd.nextInt(coreCount);
        int srcN = cores.get(src).getNeuronCount();
        int len = Math.min(total - a, pickLength(rnd, srcN));
        int first = pickFirst(rnd, srcN, len);
        if (rnd.nextInt(5) == 0) {
          // Host input instead of a route: binary payloads only go to binary groups' axons, so
          // drive only the axons whose group takes any payload of 1.
          in.addTargets(AxonRange.newBuilder().setCore(core.getAddress()).setAxonFirst(a).setCount(len)
              .setPortOffset(width));
          width += len;
        } else {
          cores.get(src).addRoutes(Route.newBuilder().setNeuronFirst(first).setNeuronCount(len)
              .setDest(core.getAddress()).setAxonFirst(a));
          if (groupOf(spans, a) != groupOf(spans, a + len - 1)) {
            mixed++;
          }
          int last = first + len - 1;
          if (first == 0 || last == srcN - 1 || (last & 31) == 31 || (first & 31) == 0) {
            boundary++;
          }
        }
        a += len;
      }
    }
    if (width > 0) {
      img.addInputs(in.setWidth(width));
    }
    RandomNetworks.addCoresWithOutputs(img, cores, pops);
    Stimulus.Builder s = Stimulus.builder(STEPS);
    for (int k = 0; k < STEPS; k++) {
      for (int i = 0; i < width; i++) {
        if (rnd.nextInt(4) == 0) {
          // 1 is a legal payload of every group, binary or graded (at least one message bit
          // holds 1 only when signed with two bits; graded groups here have 2 or more).
          s.payload(k, "in", i, 1);
        }
      }
    }
    return new Built(img.build(), s.build(), pops, mixed, boundary);
  }

  private static int groupOf(List<int[]> spans, int axon) {
    for (int g = 0; g < spans.size(); g++) {
      if (axon >= spans.get(g)[0] && axon < spans.get(g)[0] + spans.get(g)[1]) {
        return g;
      }
    }
    return -1;
  }

  /** Route lengths that end routes at word boundaries often: 1, 31, 32, 33, 64, the whole core. */
  private static int pickLength(Random rnd, int srcN) {
    int len;
    switch (rnd.nextInt(6)) {
      case 0:
        len = srcN;
        break;
      case 1:
        len = 32;
        break;
      case 2:
        len = 1;
        break;
      case 3:
        len = 31 + rnd.nextInt(3);
        break;
      case 4:
        len = 64;
        break;
      default:
        len = 1 + rnd.nextInt(srcN);
    }
    return Math.max(1, Math.min(len, srcN));
  }

  /** First neurons at 0, at a word start, just before one, or so that the route ends at n-1. */
  private static int pickFirst(Random rnd, int srcN, int len) {
    int room = srcN - len; // first may be 0..room
    int first;
    switch (rnd.nextInt(5)) {
      case 0:
        first = 0;
        break;
      case 1:
        first = room;
        break;
      case 2:
        first = 32 * rnd.nextInt(room / 32 + 1);
        break;
      case 3:
        first = 32 * rnd.nextInt(room / 32 + 1) + 31;
        break;
      default:
        first = rnd.nextInt(room + 1);
    }
    return Math.max(0, Math.min(first, room));
  }

  private static Core.Builder neurons(Random rnd, int chip, int coreId, int n) {
    Core.Builder core = Core.newBuilder().setAddress(ImageFixture.at(chip, coreId)).setNeuronCount(n);
    core.addDecayProfiles(DecayProfile.newBuilder().setDu(rnd.nextInt(4096)).setDv(rnd.nextInt(2048)));
    core.addDecayProfiles(DecayProfile.newBuilder().setDu(4095).setDv(0));
    // Low thresholds both ways so that ternary neurons send many -1 spikes.
    core.addThresholdProfiles(ThresholdProfile.newBuilder().setVth(5 + rnd.nextInt(40)));
    core.addThresholdProfiles(ThresholdProfile.newBuilder().setKind(NeuronKind.TERNARY_LIF)
        .setVth(5 + rnd.nextInt(40)).setVthLo(-(5 + rnd.nextInt(40))));
    boolean ternary = rnd.nextInt(3) != 0;
    for (int i = 0; i < n; i++) {
      core.addDecayIndex(rnd.nextInt(2)).addThresholdIndex(ternary ? rnd.nextInt(2) : 0);
      core.addBiasMant(rnd.nextInt(1201) - 600).addBiasExp(0);
    }
    return core;
  }

  private static AxonGroup.Builder group(Random rnd, String name, int first, int count, int n, boolean wide,
      int maxDelay) {
    int kind = rnd.nextInt(4); // 0 FOLD, 1 FLOOR, 2 CONV, 3 FOLD graded
    AxonGroup.Builder g = AxonGroup.newBuilder().setName(name).setAxonFirst(first).setAxonCount(count)
        .setKind(kind == 2 ? ConnectionKind.CONV : ConnectionKind.DENSE);
    if (kind != 2) {
      g.setSignMode(SignMode.MIXED).setNumWeightBits(8).setWeightExp(kind == 1 ? -1 - rnd.nextInt(6) : rnd.nextInt(3));
    }
    if (kind == 3 || rnd.nextInt(3) == 0) {
      g.setNumMessageBits(2 + rnd.nextInt(10));
    }
    g.addRowPtr(0);
    int s = 0;
    boolean anyMax = false;
    for (int a = 0; a < count; a++) {
      int fan = rnd.nextInt(Math.min(n, 40) + 1);
      for (int k = 0; k < fan; k++) {
        int convMax = wide ? (1 << 19) - 1 : 2000;
        int w = kind == 2 ? rnd.nextInt(2 * convMax + 1) - convMax : rnd.nextInt(511) - 255;
        // Targets at the ends of the core (neuron 0, n-1) as often as in between.
        int target = rnd.nextInt(3) == 0 ? (rnd.nextBoolean() ? 0 : n - 1) : rnd.nextInt(n);
        int d = rnd.nextInt(3) == 0 ? maxDelay : rnd.nextInt(maxDelay + 1);
        anyMax |= d == maxDelay;
        g.addTarget(target).addWeight(w).addDelay(d);
        s++;
      }
      g.addRowPtr(s);
    }
    if (!anyMax) {
      // Make the group's largest delay exactly maxDelay, so the delay line has the intended size.
      g.addTarget(n - 1).addWeight(kind == 2 ? 100 : 64).addDelay(maxDelay);
      g.setRowPtr(count, s + 1);
    }
    return g;
  }
}
