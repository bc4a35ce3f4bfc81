package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/**
 * Every route shape around the 32-neuron words of the spike bitmap, built systematically rather
 * than drawn: from source cores of 1, 31, 32, 33, 64, 65 and 1024 neurons (ternary, so spikes of
 * both signs, each neuron at its own rate), routes of 1, 2, 31, 32, 33, 63, 64 and 65 neurons
 * starting at 0, 1, 30, 31, 32, 33, 63, 64 and at n - count. Those within two words and one axon
 * group take the emulator's direct path, the others (three words, or axons over two groups) the
 * general one. Destination groups of every kind (FOLD, FLOOR, CONV; binary and graded) cut the
 * routes at other places than the words do, half the destinations sit on the other chip, and a
 * host port drives the first axons of each destination as well. u, v and spikes of every neuron
 * and step against {@link ReferenceStepper}, and the work counters against {@link
 * WorkCountersTest#expected}, on 1 to 4 threads.
 */
class RouteWordEdgesTest {
  private static final int[] SOURCES = {1, 31, 32, 33, 64, 65, 1024};
  private static final int[] COUNTS = {1, 2, 31, 32, 33, 63, 64, 65};
  private static final int[] FIRSTS = {0, 1, 30, 31, 32, 33, 63, 64};
  private static final int[] GROUP_SIZES = {29, 64, 3, 40, 33, 100};
  private static final int DEST_N = 40;
  private static final int STEPS = 30;
  private static final int HOST_AXONS = 64;

  private record Built(ChipImage image, Stimulus stimulus, List<String> populations, int direct, int general) {}

  private static Built build() {
    ChipImage.Builder img = ImageFixture.image(2);
    List<Core.Builder> sources = new ArrayList<>();
    List<Core.Builder> dests = new ArrayList<>();
    List<String> pops = new ArrayList<>();
    InputPort.Builder in = InputPort.newBuilder().setName("in").setWidth(HOST_AXONS);
    int direct = 0;
    int general = 0;
    for (int s = 0; s < SOURCES.length; s++) {
      int n = SOURCES[s];
      Core.Builder src = ImageFixture.lifCore(0, s, n, 4095, 0, 1, 0, 0);
      src.setThresholdProfiles(0, ThresholdProfile.newBuilder().setKind(NeuronKind.TERNARY_LIF).setVth(1).setVthLo(-1));
      for (int i = 0; i < n; i++) {
        // v gains the bias each step (no decay) and fires past +-64: each neuron its own rate.
        int b = 1 + (i * 37) % 64;
        src.setBiasMant(i, i % 3 == 2 ? -b : b);
      }
      sources.add(src);
      // The destination: on chip 1 for every other source.
      int destChip = s % 2;
      Core.Builder dest = ImageFixture.lifCore(destChip, destChip == 0 ? SOURCES.length + s : s, DEST_N, 300, 200,
          2000, 0, 0);
      int axon = 0;
      List<int[]> routes = new ArrayList<>(); // {first, count, axon}
      for (int count : COUNTS) {
        if (count > n) {
          continue;
        }
        java.util.TreeSet<Integer> firsts = new java.util.TreeSet<>();
        for (int f : FIRSTS) {
          if (f + count <= n) {
            firsts.add(f);
          }
        }
        firsts.add(n - count);
        for (int f : firsts) {
          routes.add(new int[] {f, count, axon});
          axon += count;
        }
      }
      int axons = axon;
      int[] groupEnd = groupEnds(axons);
      for (int[] r : routes) {
        src.addRoutes(Route.newBuilder().setNeuronFirst(r[0]).setNeuronCount(r[1])
            .setDest(ImageFixture.at(destChip, dest.getAddress().getCore())).setAxonFirst(r[2]));
        int words = ((r[0] + r[1] - 1) >>> 5) - (r[0] >>> 5) + 1;
        boolean oneGroup = groupOf(groupEnd, r[2]) == groupOf(groupEnd, r[2] + r[1] - 1);
        if (words <= 2 && oneGroup) {
          direct++;
        } else {
          general++;
        }
      }
      int start = 0;
      for (int g = 0; g < groupEnd.length; g++) {
        dest.addAxonGroups(group("d" + s + "_" + g, g, start, groupEnd[g] - start));
        start = groupEnd[g];
      }
      in.addTargets(AxonRange.newBuilder().setCore(dest.getAddress()).setAxonFirst(0)
          .setCount(Math.min(HOST_AXONS, axons)).setPortOffset(0));
      dests.add(dest);
    }
    img.addInputs(in);
    // Cores in (chip, core) order: chip 0's sources and destinations, then chip 1's.
    List<Core.Builder> all = new ArrayList<>(sources);
    for (Core.Builder d : dests) {
      if (d.getAddress().getChip() == 0) {
        all.add(d);
      }
    }
    for (Core.Builder d : dests) {
      if (d.getAddress().getChip() == 1) {
        all.add(d);
      }
    }
    for (Core.Builder c : all) {
      pops.add("c" + c.getAddress().getChip() + "_" + c.getAddress().getCore());
    }
    RandomNetworks.addCoresWithOutputs(img, all, pops);
    Stimulus.Builder stim = Stimulus.builder(STEPS);
    for (int k = 0; k < STEPS; k++) {
      for (int i = 0; i < HOST_AXONS; i++) {
        if ((i * 11 + k * 5) % 7 < 2) {
          stim.spike(k, "in", i);
        }
      }
    }
    return new Built(img.build(), stim.build(), pops, direct, general);
  }

  /** Ends of the destination's axon groups: sizes cycle through GROUP_SIZES, the last runs to the end. */
  private static int[] groupEnds(int axons) {
    List<Integer> ends = new ArrayList<>();
    int at = 0;
    for (int g = 0; at < axons; g++) {
      at = Math.min(axons, at + GROUP_SIZES[g % GROUP_SIZES.length]);
      ends.add(at);
    }
    return ends.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int groupOf(int[] ends, int axon) {
    int g = 0;
    while (ends[g] <= axon) {
      g++;
    }
    return g;
  }

  /** Group {@code g}: kinds in turn FOLD binary, FLOOR graded, CONV binary, FOLD graded, FLOOR binary. */
  private static AxonGroup.Builder group(String name, int g, int first, int count) {
    int kind = g % 5;
    AxonGroup.Builder b = AxonGroup.newBuilder().setName(name).setAxonFirst(first).setAxonCount(count)
        .setKind(kind == 2 ? ConnectionKind.CONV : ConnectionKind.DENSE);
    if (kind != 2) {
      int exp = kind == 0 ? 0 : kind == 1 ? -3 : kind == 3 ? 1 : -1;
      b.setSignMode(SignMode.MIXED).setNumWeightBits(8).setWeightExp(exp);
    }
    if (kind == 1) {
      b.setNumMessageBits(4);
    } else if (kind == 3) {
      b.setNumMessageBits(3);
    }
    b.addRowPtr(0);
    int s = 0;
    for (int a = 0; a < count; a++) {
      int axon = first + a;
      for (int j = 0; j <= axon % 3; j++) {
        b.addTarget((axon * 7 + j * 13) % DEST_N).addWeight((axon * 31 + j * 17) % 201 - 100)
            .addDelay((axon + j) % 5);
        s++;
      }
      b.addRowPtr(s);
    }
    return b;
  }

  @Test
  void everyRouteShapeAtTheWordEdgesMatchesTheReference() {
    Built b = build();
    // The shapes must reach both paths.
    // Measured: 97 direct, 79 general.
    assertTrue(b.direct >= 80 && b.general >= 60, b.direct + " direct routes, " + b.general + " general");
    ReferenceStepper.Trace expected = new ReferenceStepper(b.image).run(b.stimulus);
    WorkCountersTest.Expected counts = WorkCountersTest.expected(b.image, b.stimulus);
    assertTrue(counts.interChipSpikes() > 1000, counts.interChipSpikes() + " inter-chip spikes");
    long negative = 0;
    for (int threads = 1; threads <= 4; threads++) {
      try (EmulatorDevice dev = ImageFixture.device(threads)) {
        dev.load(b.image);
        if (threads == 4) {
          dev.contendForTest();
        }
        for (String p : b.populations) {
          dev.attach(Probe.of(ProbeKind.U, p));
          dev.attach(Probe.of(ProbeKind.V, p));
          dev.attach(Probe.of(ProbeKind.SPIKES, p));
        }
        RunResult r = dev.run(b.stimulus);
        negative += RoutingEdgeCasesTest.compare(expected, r, b.populations, STEPS, threads + " threads")[1];
        EmulatorDevice.Stats st = dev.stats();
        assertEquals(counts.synapticEvents(), st.synapticEvents(), threads + " threads: synaptic events");
        assertEquals(counts.spikes(), st.spikes(), threads + " threads: spikes");
        assertEquals(counts.interChipSpikes(), dev.interChipSpikes(), threads + " threads: inter-chip spikes");
      }
    }
    assertTrue(negative > 1000, negative + " spikes of -1");
  }
}
