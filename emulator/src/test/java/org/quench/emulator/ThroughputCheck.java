package org.quench.emulator;

import java.util.Random;
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;

/**
 * A quick local throughput check, not a test (performance lives in benchmarks): roughly the
 * bench's shape, 100 cores x 1000 neurons, 4000 axons x 25 synapses per core (10M synapses),
 * bias-driven firing near 5% per step. Run: java -cp ... org.quench.emulator.ThroughputCheck [threads] [steps] [delays]
 */
final class ThroughputCheck {
  private ThroughputCheck() {}

  static ChipImage network(int cores, int neurons, int sources, int fanOut, boolean delays, long seed) {
    Random rnd = new Random(seed);
    ChipImage.Builder img = ImageFixture.image(1);
    for (int c = 0; c < cores; c++) {
      Core.Builder core = ImageFixture.lifCore(0, c, neurons, 4095, 0, 64, 205, 0);
      for (int i = 0; i < neurons; i++) {
        core.addUInit(0).addVInit(rnd.nextInt(4096));
      }
      for (int s = 0; s < sources; s++) {
        AxonGroup.Builder g = AxonGroup.newBuilder().setName("c" + c + "s" + s).setAxonFirst(s * neurons)
            .setAxonCount(neurons).setSignMode(SignMode.MIXED).setNumWeightBits(8).addRowPtr(0);
        int k = 0;
        for (int a = 0; a < neurons; a++) {
          for (int f = 0; f < fanOut; f++) {
            g.addTarget(rnd.nextInt(neurons)).addWeight(rnd.nextInt(21) - 10);
            if (delays) {
              g.addDelay(rnd.nextInt(8));
            }
            k++;
          }
          g.addRowPtr(k);
        }
        core.addAxonGroups(g);
      }
      img.addCores(core);
    }
    for (int c = 0; c < cores; c++) {
      Core.Builder core = img.getCoresBuilder(c);
      for (int s = 0; s < sources; s++) {
        int dest = ((c - 1 - s) % cores + cores) % cores;
        core.addRoutes(Route.newBuilder().setNeuronFirst(0).setNeuronCount(neurons)
            .setDest(ImageFixture.at(0, dest)).setAxonFirst(s * neurons));
      }
    }
    return img.build();
  }

  private static long emulatorCpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = mx.getCurrentThreadCpuTime();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("quench-emu-worker-")) {
        total += Math.max(0, mx.getThreadCpuTime(t.getId()));
      }
    }
    return total;
  }

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    boolean delays = args.length > 2 && Boolean.parseBoolean(args[2]);
    int sources = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    // 100k synapses per core exceed Loihi's 128 KiB synapse memory: measure on a roomier variant.
    ChipSpec spec = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("loihi-roomy")
        .setSynapseMemoryBytesPerCore(1 << 24).build());
    ChipImage image = network(100, 1000, sources, 25, delays, 1);
    image = image.toBuilder().setHeader(image.getHeader().toBuilder().setSpecName(spec.name())
        .setSpecHash(spec.hash())).build();
    try (EmulatorDevice dev = new EmulatorDevice(spec, "bench", threads)) {
      dev.load(image);
      dev.run(Stimulus.idle(200)); // warm-up
      EmulatorDevice.Stats before = dev.stats();
      // On a shared machine wall time says little: also report the CPU time of the calling
      // thread and the workers, and the throughput per CPU-second that follows.
      long c0 = emulatorCpuNanos();
      long t0 = System.nanoTime();
      dev.run(Stimulus.idle(steps));
      double sec = (System.nanoTime() - t0) / 1e9;
      double cpu = (emulatorCpuNanos() - c0) / 1e9;
      System.out.printf("wall %.2f s, emulator threads' cpu %.2f s (%.0f steps per cpu-second)%n", sec, cpu,
          steps / cpu);
      EmulatorDevice.Stats after = dev.stats();
      double upd = (after.neuronUpdates() - before.neuronUpdates()) / sec;
      double ev = (after.synapticEvents() - before.synapticEvents()) / sec;
      double rate = (double) (after.spikes() - before.spikes()) / (after.neuronUpdates() - before.neuronUpdates());
      System.out.printf("threads %d delays %s: %.0f steps/s, %.1fM neuron updates/s, %.1fM synaptic events/s,"
          + " spike rate %.3f, %d synapses, %.2f bytes/synapse, state %.1f MB%n", threads, delays, steps / sec,
          upd / 1e6, ev / 1e6, rate, after.synapseCount(), (double) after.synapseBytes() / Math.max(1, after.synapseCount()),
          after.stateBytes() / 1e6);
    }
  }
}
