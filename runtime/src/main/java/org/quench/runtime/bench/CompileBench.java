package org.quench.runtime.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.HeterogeneousRecurrent;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.Provenance;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;

/**
 * Compile-time benchmark on synthetic heterogeneous networks: {@code n} LIF neurons (CubaLIF
 * dynamics) with lognormal per-neuron tau_mem (median 20 ms, sigma 0.5; laid out sorted along the
 * neuron index, as a tonotopic map would) and lognormal tau_syn (median 5 ms, sigma 0.5, i.i.d.),
 * thresholds uniform in [0.8, 1.2], and 100 synapses per neuron: 10 from a 1024-channel input port
 * and 90 recurrent from neurons within +-1000 of its index (local connectivity: a random graph
 * cannot meet Loihi's 4096 output axons per core at this size). Compiled for the {@code loihi}
 * spec through the full float pipeline; prints build and compile time and the peak heap.
 *
 * <p>Usage: {@code CompileBench [sizes...]} (default 10000 100000); run with e.g. -Xmx12g;
 * {@code -Dbench.window=W} sets the recurrent window (default 1000). The partitioner does not
 * bound output axons, so at 1M neurons a window of 1000 leaves one core 72 axons over Loihi's
 * 4096; 700 fits.
 */
public final class CompileBench {
  private CompileBench() {}

  public static void main(String[] args) {
    int[] sizes = args.length == 0 ? new int[] {10_000, 100_000}
        : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.println("neurons    synapses  build_s  compile_s  cores chips  peak_heap_MB");
    for (int n : sizes) {
      System.gc();
      resetPeaks();
      long t0 = System.nanoTime();
      Network net = network(n, 42);
      long t1 = System.nanoTime();
      NirImportOptions o = NirImportOptions.defaults().withDt(1e-3);
      Compiler.Result r = Compiler.forNir(o).compile(net, ChipSpec.loihi());
      long t2 = System.nanoTime();
      ChipImage image = r.image();
      CompileReport rep = r.report();
      long synapses = 0;
      for (Projection p : net.projections()) {
        synapses += p.synapseCount();
      }
      System.out.printf(Locale.ROOT, "%8d %11d %8.2f %10.2f %6d %5d %13d%n", n, synapses,
          (t1 - t0) / 1e9, (t2 - t1) / 1e9, image.getCoresCount(), rep.chips(), peakHeapMb());
      System.out.print(rep.summary());
      System.out.println("stages (s): " + rep.timings());
    }
  }

  /** The synthetic network of {@code n} neurons, deterministic in {@code seed}. */
  public static Network network(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] params = HeterogeneousRecurrent.lognormalParameters(n, rng, 0.020, 0.5, 0.005, 0.5, 0.8, 1.2);
    double[] tauMem = params[0];
    double[] tauSyn = params[1];
    double[] th = params[2];
    Arrays.sort(tauMem);
    FloatNeurons f = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).threshold(th).build("pop");
    int width = 1024;
    Projection.Builder in = Projection.builder("input->pop", Projection.Source.inputPort("input"),
        width, "pop", n);
    Projection.Builder rec = Projection.builder("pop->pop", Projection.Source.population("pop"), n,
        "pop", n);
    int window = Math.min(Integer.getInteger("bench.window", 1000), (n - 1) / 2);
    for (int t = 0; t < n; t++) {
      for (int k = 0; k < 10; k++) {
        in.floatSynapse(rng.nextInt(width), t, 0.5 * HeterogeneousRecurrent.gaussian(rng), 0);
      }
      for (int k = 0; k < 90; k++) {
        int off = 1 + rng.nextInt(window);
        int s = Math.floorMod(rng.nextBoolean() ? t + off : t - off, n);
        rec.floatSynapse(s, t, 0.1 * HeterogeneousRecurrent.gaussian(rng), 0);
      }
    }
    return Network.builder("bench" + n).input(new InputPort("input", width))
        .population(Population.of("pop", f)).projection(in.build()).projection(rec.build())
        .output("pop").provenance(Provenance.none()).build();
  }


  private static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long peakHeapMb() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        sum += pool.getPeakUsage().getUsed();
      }
    }
    return sum >> 20;
  }
}
