package org.quench.runtime.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.campaign.ChipResult;
import org.quench.runtime.campaign.ChipRun;
import org.quench.runtime.campaign.MismatchCampaign;
import org.quench.runtime.campaign.Serials;
import org.quench.runtime.cluster.ClusterSettings;
import org.quench.runtime.cluster.ClusterWorkRunner;
import org.quench.runtime.cluster.WorkerProcesses;
import org.quench.runtime.work.ThreadWorkRunner;
import org.quench.runtime.work.WorkRunner;

/**
 * What running a campaign on a cluster costs and gains ({@code quench bench --cluster-overhead}):
 * the same chips of a synthetic network on threads of this process and on 1, 2, ...
 * {@code quench worker} JVMs on 127.0.0.1 (one thread each), chips per second for each; and the
 * overhead per item, from chips of a single step (almost no work, so their time per chip is the
 * cost of moving an item and its result) on one thread here against one one-thread worker.
 * Every configuration first runs warm-up chips (other serials, the warm-up count per thread);
 * results are checked equal to the in-process ones. On a shared machine the numbers are noisy: compare rows of one run.
 */
public final class ClusterOverhead {
  private ClusterOverhead() {}

  /**
   * @param neurons neurons of the synthetic network (100 synapses each)
   * @param steps steps per chip of the throughput rows
   * @param chips chips per measured row
   * @param warmupChips chips run before each row
   * @param maxWorkers rows for 1..maxWorkers workers
   */
  public record Settings(int neurons, int steps, int chips, int warmupChips, int maxWorkers) {
    public Settings {
      if (neurons < 1 || steps < 1 || chips < 1 || warmupChips < 0 || maxWorkers < 1) {
        throw new QuenchException("--cluster-overhead needs positive --neurons, --steps, --chips"
            + " and workers");
      }
    }
  }

  /**
   * One measured configuration.
   *
   * @param where {@code threads here} or {@code N workers}
   * @param threads threads that ran chips
   * @param steps steps per chip
   * @param chips chips measured
   * @param seconds wall-clock time of the chips
   */
  public record Row(String where, int threads, int steps, int chips, double seconds) {
    /** Chips per second. */
    public double chipsPerSecond() {
      return chips / seconds;
    }

    /** Milliseconds per chip, wall clock. */
    public double millisPerChip() {
      return 1000 * seconds / chips;
    }
  }

  /**
   * All rows: throughput first, then the one-step chips and the empty items, each on one thread
   * here and on one one-thread worker.
   */
  public record Result(Settings settings, List<Row> throughput, Row tinyHere, Row tinyCluster,
      Row echoHere, Row echoCluster) {
    /** Extra milliseconds a one-step chip costs on the cluster. */
    public double overheadMillisPerItem() {
      return tinyCluster.millisPerChip() - tinyHere.millisPerChip();
    }

    /** Milliseconds an item that does nothing costs on the cluster, less the same here. */
    public double emptyItemMillis() {
      return echoCluster.millisPerChip() - echoHere.millisPerChip();
    }

    /** A table for people. */
    public String toText() {
      StringBuilder s = new StringBuilder();
      s.append(String.format(Locale.ROOT, "network     %,d neurons x 100 synapses, campaign of %d chips"
          + " x %d steps (analog), %d warm-up chips per thread and row%n", settings.neurons(), settings.chips(),
          settings.steps(), settings.warmupChips()));
      double base = throughput.get(0).chipsPerSecond();
      for (Row r : throughput) {
        s.append(String.format(Locale.ROOT, "%-18s %d thread(s)  %7.1f chips/s  %7.2f ms/chip  x%.2f%n",
            r.where(), r.threads(), r.chipsPerSecond(), r.millisPerChip(), r.chipsPerSecond() / base));
      }
      s.append(String.format(Locale.ROOT, "overhead    %.2f ms per item on the cluster (1-step chips: %.2f"
          + " ms/chip on 1 thread here, %.2f ms/chip on 1 one-thread worker)%n",
          overheadMillisPerItem(), tinyHere.millisPerChip(), tinyCluster.millisPerChip()));
      s.append(String.format(Locale.ROOT, "empty item  %.3f ms per item on 1 worker (%d items that do"
          + " nothing; %.4f ms here): the cluster layer's own cost per item%n", emptyItemMillis(),
          echoCluster.chips(), echoHere.millisPerChip()));
      return s.toString();
    }
  }

  /**
   * Starts workers ({@code workerCommand}: main class and arguments of {@code quench worker}),
   * measures, and kills them; {@code log} hears what is happening.
   */
  public static Result run(Settings settings, List<String> workerCommand, Consumer<String> log) {
    SyntheticNetwork network = SyntheticNetwork.build(
        new SyntheticNetwork.Shape(settings.neurons(), 100, 0, 1), ChipSpec.loihi());
    ChipImage image = CampaignThroughput.withOutputPort(network.image());
    MismatchCampaign full = MismatchCampaign.prepare(image, ChipSpec.loihi(),
        List.of("analog"), List.of(network.stimulus(0, settings.steps())), null, null, null);
    MismatchCampaign tiny = MismatchCampaign.prepare(image, ChipSpec.loihi(),
        List.of("analog"), List.of(network.stimulus(0, 1)), null, null, null);
    int cores = Runtime.getRuntime().availableProcessors();
    List<Row> rows = new ArrayList<>();
    List<ChipResult> expected;
    try (ThreadWorkRunner one = new ThreadWorkRunner(1)) {
      expected = full.run(one, full.runs(measured(settings), List.of("analog"), false), d -> { });
    }
    for (int t = 1; t <= cores; t++) {
      try (ThreadWorkRunner here = new ThreadWorkRunner(t)) {
        rows.add(measure(t + " thread(s) here", t, full, here, settings, settings.steps(), expected));
        log.accept(rows.get(rows.size() - 1).where() + " measured");
      }
    }
    Row tinyHere;
    try (ThreadWorkRunner one = new ThreadWorkRunner(1)) {
      tinyHere = measure("1 thread here", 1, tiny, one, settings, 1, null);
      log.accept("1-step chips on 1 thread here measured");
    }
    Row tinyCluster = null;
    Row echoHere;
    try (ThreadWorkRunner one = new ThreadWorkRunner(1)) {
      echoHere = echo("1 thread here", one);
    }
    Row echoCluster = null;
    try (WorkerProcesses workers = WorkerProcesses.start(workerCommand, 1, 1, 120, false)) {
      for (int w = 1; w <= settings.maxWorkers(); w++) {
        if (w > 1) {
          workers.add(1, 120);
        }
        try (ClusterWorkRunner cluster = ClusterWorkRunner.connect(ClusterSettings.coordinator(
            workers.joinList(), workers.name(), 30, false), line -> { })) {
          rows.add(measure(w + (w == 1 ? " worker" : " workers"), w, full, cluster, settings,
              settings.steps(), expected));
          log.accept(rows.get(rows.size() - 1).where() + " measured");
          if (w == 1) {
            tinyCluster = measure("1 worker", 1, tiny, cluster, settings, 1, null);
            log.accept("1-step chips on 1 worker measured");
            echoCluster = echo("1 worker", cluster);
            log.accept("empty items on 1 worker measured");
          }
        }
      }
    }
    return new Result(settings, rows, tinyHere, tinyCluster, echoHere, echoCluster);
  }

  /** Times {@value #ECHO_ITEMS} empty items after as many for warm-up. */
  private static Row echo(String where, WorkRunner runner) {
    List<Long> warm = new ArrayList<>();
    List<Long> items = new ArrayList<>();
    for (long i = 0; i < ECHO_ITEMS; i++) {
      warm.add(-1 - i);
      items.add(i);
    }
    EchoWork kind = new EchoWork();
    runner.run(kind, "warm-up", warm, d -> { });
    long t0 = System.nanoTime();
    List<Long> back = runner.run(kind, "measured", items, d -> { });
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (!back.equals(items)) {
      throw new IllegalStateException(where + ": empty items came back changed");
    }
    return new Row(where, 1, 0, items.size(), seconds);
  }

  private static final int ECHO_ITEMS = 2000;

  private static List<Long> measured(Settings s) {
    return Serials.first(s.chips());
  }

  private static Row measure(String where, int threads, MismatchCampaign campaign, WorkRunner runner,
      Settings s, int steps, List<ChipResult> expected) {
    if (s.warmupChips() > 0) {
      // Every thread (a new worker too) gets about the warm-up count before the clock starts.
      long first = 1_000_001;
      campaign.run(runner, campaign.runs(Serials.parse(first + "-"
          + (first + (long) s.warmupChips() * threads - 1)), List.of("analog"), false), d -> { });
    }
    List<ChipRun> runs = campaign.runs(measured(s), List.of("analog"), false);
    long t0 = System.nanoTime();
    List<ChipResult> results = campaign.run(runner, runs, d -> { });
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (expected != null && !expected.equals(results)) {
      throw new IllegalStateException(where + ": results differ from the in-process run");
    }
    if (runner.lastReport().retried() > 0 || runner.lastReport().redundant() > 0) {
      throw new IllegalStateException(where + ": chunks were sent again (" + runner.lastReport()
          + "): the measurement is not of a healthy cluster");
    }
    return new Row(where, threads, steps, runs.size(), seconds);
  }
}
