package org.quench.runtime.bench;

import com.google.gson.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Symbol;
import org.quench.runtime.campaign.ChipResult;
import org.quench.runtime.campaign.ChipRun;
import org.quench.runtime.campaign.ChipWorkspace;
import org.quench.runtime.campaign.MismatchCampaign;
import org.quench.runtime.campaign.Serials;
import org.quench.runtime.work.ThreadWorkRunner;

/**
 * The measurement behind {@code quench bench --campaign}: a mismatch campaign over many chips of
 * a small recurrent network ({@link SyntheticNetwork} with every neuron on an output port), the
 * regime where per-chip set-up, not the neuron update, can dominate. Times the campaign after a
 * few warm-up chips (JIT), splits the time into chip set-up (open, load, profile) and running,
 * and samples the heap retained after garbage collection early and at the end of the campaign
 * (flat memory means the campaign keeps nothing per chip but its result).
 */
public final class CampaignThroughput {
  /** Goal: chip runs per second. */
  public static final double TARGET_CHIPS_PER_SECOND = 50;
  /** Name of the output port added to the synthetic network. */
  static final String OUTPUT_PORT = "out";

  private CampaignThroughput() {}

  /**
   * What to measure.
   *
   * @param shape the network of every chip
   * @param steps steps per chip (one sample)
   * @param chips chips measured (serials 1..chips)
   * @param warmupChips chips run before measuring (serials after the measured ones)
   * @param threads chips run in parallel
   * @param variability variability level of the chips
   */
  public record Settings(SyntheticNetwork.Shape shape, int steps, int chips, int warmupChips,
      int threads, String variability) {
    public Settings {
      if (steps < 1) {
        throw new QuenchException("--steps must be at least 1, got " + steps);
      }
      if (chips < 1) {
        throw new QuenchException("--chips must be at least 1, got " + chips);
      }
      if (warmupChips < 0) {
        throw new QuenchException("--warmup-chips must not be negative, got " + warmupChips);
      }
      if (threads < 1) {
        throw new QuenchException("--threads must be at least 1, got " + threads);
      }
    }
  }

  /**
   * A finished measurement.
   *
   * @param settings what was asked
   * @param synapses synapses per chip
   * @param cores cores per chip
   * @param prepareSeconds building the image and running the nominal chip
   * @param seconds wall-clock time of the measured chips
   * @param timing set-up and run time summed over the measured chips' threads
   * @param heapEarlyBytes heap retained after the last GC when 10 % of the chips were done
   * @param heapEndBytes heap retained after the last GC at the end
   * @param meanCorrelation mean spike-count correlation with the nominal chip (a sanity figure)
   */
  public record Measurement(Settings settings, long synapses, int cores, double prepareSeconds,
      double seconds, ChipWorkspace.WorkTiming timing, long heapEarlyBytes, long heapEndBytes,
      double meanCorrelation) {

    public double chipsPerSecond() {
      return settings.chips() / seconds;
    }

    public double neuronUpdatesPerSecond() {
      return chipsPerSecond() * settings.shape().neurons() * settings.steps();
    }

    /** Mean set-up time per chip (one thread's view), ms. */
    public double setupMillisPerChip() {
      return timing.chips() == 0 ? 0 : timing.setupNanos() / 1e6 / timing.chips();
    }

    /** Mean run time per chip (one thread's view), ms. */
    public double runMillisPerChip() {
      return timing.chips() == 0 ? 0 : timing.runNanos() / 1e6 / timing.chips();
    }

    /** Mean CPU time per chip (set-up and run), ms; 0 when not measured. */
    public double cpuMillisPerChip() {
      return timing.chips() == 0 ? 0 : (timing.setupCpuNanos() + timing.runCpuNanos()) / 1e6 / timing.chips();
    }

    /**
     * The rate the measured CPU time allows when each thread has a core to itself: threads / CPU
     * time per chip. On a shared machine this is what the engine can do; the wall-clock figure is
     * what it did.
     */
    public double cpuBoundChipsPerSecond() {
      double ms = cpuMillisPerChip();
      return ms == 0 ? Double.NaN : settings.threads() * 1000.0 / ms;
    }

    public Target target() {
      return new Target("chip runs/s", TARGET_CHIPS_PER_SECOND, true, chipsPerSecond());
    }

    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      SyntheticNetwork.Shape shape = settings.shape();
      o.addProperty("neurons", shape.neurons());
      o.addProperty("synapsesPerNeuron", shape.synapsesPerNeuron());
      o.addProperty("synapses", synapses);
      o.addProperty("cores", cores);
      o.addProperty("seed", shape.seed());
      o.addProperty("steps", settings.steps());
      o.addProperty("chips", settings.chips());
      o.addProperty("warmupChips", settings.warmupChips());
      o.addProperty("threads", settings.threads());
      o.addProperty("variability", settings.variability());
      o.addProperty("prepareSeconds", prepareSeconds);
      o.addProperty("seconds", seconds);
      o.addProperty("chipsPerSecond", chipsPerSecond());
      o.addProperty("neuronUpdatesPerSecond", neuronUpdatesPerSecond());
      o.addProperty("setupMillisPerChip", setupMillisPerChip());
      o.addProperty("runMillisPerChip", runMillisPerChip());
      o.addProperty("setupCpuMillisPerChip", timing.chips() == 0 ? 0 : timing.setupCpuNanos() / 1e6 / timing.chips());
      o.addProperty("runCpuMillisPerChip", timing.chips() == 0 ? 0 : timing.runCpuNanos() / 1e6 / timing.chips());
      o.addProperty("cpuBoundChipsPerSecond", cpuBoundChipsPerSecond());
      o.addProperty("heapEarlyBytes", heapEarlyBytes);
      o.addProperty("heapEndBytes", heapEndBytes);
      o.addProperty("meanCorrelation", meanCorrelation);
      Target t = target();
      o.addProperty("target", t.bound());
      o.addProperty("pass", t.pass());
      return o;
    }

    public String toText() {
      SyntheticNetwork.Shape shape = settings.shape();
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "network     %,d neurons x %d synapses = %,d synapses on %d cores,"
          + " %d steps per chip, seed %d%n", shape.neurons(), shape.synapsesPerNeuron(), synapses, cores,
          settings.steps(), shape.seed()));
      s.append(String.format(Locale.ROOT, "campaign    %,d chips (%s) on %d threads after %d warm-up chips;"
          + " prepared in %.2f s%n", settings.chips(), settings.variability(), settings.threads(),
          settings.warmupChips(), prepareSeconds));
      s.append(String.format(Locale.ROOT, "throughput  %.1f chip runs/s = %s neuron updates/s (%.2f s)%n",
          chipsPerSecond(), Target.human(neuronUpdatesPerSecond()), seconds));
      s.append(String.format(Locale.ROOT, "per chip    set-up %.2f ms + run %.2f ms on one thread (wall);"
          + " CPU %.2f + %.2f ms%n", setupMillisPerChip(), runMillisPerChip(),
          timing.chips() == 0 ? 0 : timing.setupCpuNanos() / 1e6 / timing.chips(),
          timing.chips() == 0 ? 0 : timing.runCpuNanos() / 1e6 / timing.chips()));
      s.append(String.format(Locale.ROOT, "cpu-bound   %.1f chip runs/s if each of the %d threads had a core"
          + " to itself (threads / CPU time per chip)%n", cpuBoundChipsPerSecond(), settings.threads()));
      s.append(String.format(Locale.ROOT, "memory      heap retained after GC: %.1f MiB at 10%% of the chips,"
          + " %.1f MiB at the end%n", heapEarlyBytes / 1048576.0, heapEndBytes / 1048576.0));
      s.append(String.format(Locale.ROOT, "agreement   mean spike-count correlation with nominal %.4f%n",
          meanCorrelation));
      s.append("targets").append(System.lineSeparator());
      s.append("  ").append(target().line()).append(System.lineSeparator());
      return s.toString();
    }
  }

  /** The synthetic network with every neuron of its population on one output port. */
  static ChipImage withOutputPort(ChipImage image) {
    Symbol symbol = image.getSymbols(0);
    OutputPort.Builder port = OutputPort.newBuilder().setName(OUTPUT_PORT).setWidth(symbol.getSize());
    port.addAllSources(symbol.getRangesList());
    return image.toBuilder().addOutputs(port).build();
  }

  /** Builds, warms up and measures; {@code progress} gets measured chips done. */
  public static Measurement run(Settings settings, LongConsumer progress) {
    long t0 = System.nanoTime();
    SyntheticNetwork network = SyntheticNetwork.build(settings.shape(), ChipSpec.loihi());
    ChipImage image = withOutputPort(network.image());
    MismatchCampaign campaign = MismatchCampaign.prepare(image, ChipSpec.loihi(),
        List.of(settings.variability()), List.of(network.stimulus(0, settings.steps())), null, null, null);
    long t1 = System.nanoTime();
    List<ChipRun> runs = campaign.runs(Serials.first(settings.chips()),
        List.of(settings.variability()), false);
    try (ThreadWorkRunner runner = new ThreadWorkRunner(settings.threads())) {
      if (settings.warmupChips() > 0) {
        List<Long> warm = Serials.parse((settings.chips() + 1) + "-"
            + (settings.chips() + settings.warmupChips()));
        campaign.run(runner, campaign.runs(warm, List.of(settings.variability()), false), done -> { });
      }
      ChipWorkspace.WorkTiming before = campaign.timing();
      long early = Math.max(1, settings.chips() / 10);
      long[] heapEarly = {-1};
      long start = System.nanoTime();
      List<ChipResult> results = campaign.run(runner, runs, done -> {
        if (done == early) {
          heapEarly[0] = retainedHeap();
        }
        progress.accept(done);
      });
      double seconds = (System.nanoTime() - start) / 1e9;
      long heapEnd = retainedHeap();
      ChipWorkspace.WorkTiming after = campaign.timing();
      ChipWorkspace.WorkTiming measured = after.minus(before);
      double corr = results.stream().mapToDouble(ChipResult::correlation).average().orElse(Double.NaN);
      return new Measurement(settings, network.synapses(), network.cores(), (t1 - t0) / 1e9, seconds,
          measured, heapEarly[0], heapEnd, corr);
    }
  }

  /** Heap in use right after the most recent collection, over all heap pools (no GC forced). */
  static long retainedHeap() {
    long total = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        MemoryUsage after = pool.getCollectionUsage();
        if (after != null) {
          total += after.getUsed();
        }
      }
    }
    return total;
  }
}
