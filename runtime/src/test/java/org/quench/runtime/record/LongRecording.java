package org.quench.runtime.record;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.Stimulus;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;

/**
 * A long recorded run, meant for a child JVM with a small heap (see LongRecordingTest): a
 * 500-neuron reservoir driven by seeded random input, v and spikes probed, recorded to TARGET (a
 * directory for .npy, or an .h5 file) in 1000-step chunks. Arguments: {@code TARGET STEPS}.
 * Prints the most heap seen in use after a chunk, in MiB.
 */
final class LongRecording {
  static final int SIZE = 500;
  static final int INPUTS = 4;
  static final int CHUNK = 1000;
  static final Probe V = Probe.of(ProbeKind.V, "res");
  static final Probe SPIKES = Probe.of(ProbeKind.SPIKES, "res");

  private LongRecording() {}

  /** Input of every step depends only on the step number, so a shorter run sees the same start. */
  static InputSource input() {
    return (first, steps) -> {
      Stimulus.Builder b = Stimulus.builder(steps);
      for (int s = 0; s < steps; s++) {
        SplittableRandom r = new SplittableRandom(first + s);
        for (int c = 0; c < INPUTS; c++) {
          if (r.nextInt(10) < 3) {
            b.spike(s, "in", c);
          }
        }
      }
      return b.build();
    };
  }

  static Session session() {
    Session s = Session.open("emu:loihi");
    s.load(TestNetworks.reservoir(INPUTS, SIZE, 7)).probe(V).probe(SPIKES).chunkSteps(CHUNK);
    return s;
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long steps = Long.parseLong(args[1]);
    long[] peak = {0};
    Recorder recorder = Recorder.to(dir);
    try (Session s = session()) {
      s.onProgress(done -> {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        peak[0] = Math.max(peak[0], heap.getUsed());
      });
      s.run(steps, input(), recorder);
    }
    System.out.println("peak heap MiB " + peak[0] / (1024 * 1024));
  }
}
