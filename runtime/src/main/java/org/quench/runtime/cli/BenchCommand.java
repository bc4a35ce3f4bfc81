package org.quench.runtime.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import org.quench.runtime.bench.CampaignThroughput;
import org.quench.runtime.bench.ClusterOverhead;
import org.quench.runtime.bench.EmulatorThroughput;
import org.quench.runtime.bench.PythonBaseline;
import org.quench.runtime.bench.SyntheticNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quench bench}: the emulator's throughput on a large synthetic network, against targets. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = {
        "Measure the emulator's throughput on a synthetic network against the targets.",
        "The network is a random recurrent one, written directly as a chip image, with about 5%% of"
            + " neurons spiking per step. Targets: >= 100M neuron updates/s, >= 400M synaptic"
            + " events/s, <= 6 bytes/synapse; each is reported as PASS or MISS at the size they were"
            + " set for (100,000 neurons x 100 synapses), as n/a at any other size."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench bench                          100k neurons, 10M synapses",
        "  quench bench --threads 1 --steps 200  one thread, fewer steps",
        "  quench bench --repeat 5               five windows, the median reported",
        "  quench bench --neurons 2000 --json    a quick run, one JSON object",
        "  quench bench --baseline               compare with NumPy and Brian2 (bench/*_baseline.py)",
        "  quench bench --campaign               1,000 chips x 1,000 neurons x 1,000 steps (mismatch campaign)",
        "  quench bench --cluster-overhead       a campaign here and on 1-3 local workers (docs/cluster.md)"})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--threads", paramLabel = "N",
      description = "Emulator worker threads (default: available processors, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Option(names = "--neurons", paramLabel = "N", description = "Neurons (default: ${DEFAULT-VALUE}).")
  int neurons = 100_000;

  @Option(names = "--synapses-per-neuron", paramLabel = "N",
      description = "Outgoing synapses per neuron (default: ${DEFAULT-VALUE}).")
  int synapsesPerNeuron = 100;

  @Option(names = "--neurons-per-core", paramLabel = "N",
      description = "Neurons per core (default: the most that fit the chip's per-core budgets).")
  int neuronsPerCore = 0;

  @Option(names = "--steps", paramLabel = "N", description = "Measured steps (default: ${DEFAULT-VALUE}).")
  int steps = 1000;

  @Option(names = "--repeat", paramLabel = "N",
      description = "Measure N windows of --steps steps one after the other and report the one of median"
          + " neuron-update rate, with the slowest and fastest (default: ${DEFAULT-VALUE}); on a shared"
          + " machine single windows vary by tens of percent.")
  int repeat = 3;

  // The JIT's last recompilations of the step loops land within the first few hundred steps of
  // the 100k-neuron network; windows measured after 200 steps ran up to 25% slower than after
  // 1,000 (README "Benchmarks").
  @Option(names = "--warmup", paramLabel = "N",
      description = "Steps run before measuring, so the JIT has compiled the step loops (default:"
          + " ${DEFAULT-VALUE}).")
  int warmup = 1000;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the network and its input (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--json", description = "Print one JSON object on stdout instead of the report.")
  boolean json;

  @Option(names = "--baseline",
      description = "Also run the Python peers on the same shape and print the ratios: bench/numpy_baseline.py"
          + " (numpy) and, when Brian2 is installed, bench/brian2_baseline.py (cython target, floats).")
  boolean baseline;

  @Option(names = "--campaign",
      description = "Measure a mismatch campaign instead: chip runs/s over --chips chips of a --neurons"
          + " (default 1000) network, --steps each, --threads chips in parallel; target >= 50 chip runs/s.")
  boolean campaign;

  @Option(names = "--chips", paramLabel = "N",
      description = "With --campaign: chips measured (default: 1000; --cluster-overhead: 200).")
  Integer chips;

  @Option(names = "--cluster-overhead",
      description = "Measure a campaign on threads here and on 1..--workers quench worker JVMs on"
          + " 127.0.0.1 (one thread each): chips/s, speed-up, and the overhead per item (one-step"
          + " chips); --neurons (default 1000), --steps (default 200), --chips.")
  boolean clusterOverhead;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "3",
      description = "With --cluster-overhead: the most workers measured (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--warmup-chips", paramLabel = "N", defaultValue = "20",
      description = "With --campaign: chips run before measuring (default: ${DEFAULT-VALUE}).")
  int warmupChips;

  @Option(names = "--variability", paramLabel = "PRESET|FILE", defaultValue = "analog",
      description = "With --campaign: the chips' variability level (default: ${DEFAULT-VALUE}).")
  String variability;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    if (campaign) {
      return campaign();
    }
    if (clusterOverhead) {
      return clusterOverhead();
    }
    SyntheticNetwork.Shape shape = new SyntheticNetwork.Shape(neurons, synapsesPerNeuron, neuronsPerCore, seed);
    EmulatorThroughput.Settings settings = new EmulatorThroughput.Settings(shape, threads, warmup, steps, repeat);
    EmulatorThroughput.Measurement m = withBar("bench", (long) warmup + (long) steps * repeat,
        progress -> EmulatorThroughput.run(settings, progress));
    PrintWriter out = spec.commandLine().getOut();
    JsonObject result = m.toJson();
    if (!json) {
      out.print(m.toText());
    }
    if (baseline) {
      for (PythonBaseline peer : List.of(PythonBaseline.NUMPY, PythonBaseline.BRIAN2)) {
        comparePeer(peer, shape, m, result, out);
      }
    } else if (!json) {
      out.println("baseline    compare with NumPy and Brian2: quench bench --baseline, or "
          + String.join(" ", PythonBaseline.command("python3", Path.of(PythonBaseline.NUMPY.script()), shape,
              warmup, steps)));
    }
    if (json) {
      out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(result));
    }
    out.flush();
    return 0;
  }

  private int campaign() {
    boolean neuronsGiven = spec.commandLine().getParseResult().hasMatchedOption("--neurons");
    SyntheticNetwork.Shape shape = new SyntheticNetwork.Shape(neuronsGiven ? neurons : 1000,
        synapsesPerNeuron, neuronsPerCore, seed);
    int n = chips == null ? 1000 : chips;
    CampaignThroughput.Settings settings = new CampaignThroughput.Settings(shape, steps, n,
        warmupChips, threads, variability);
    CampaignThroughput.Measurement m = withBar("chips", n,
        progress -> CampaignThroughput.run(settings, progress));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create()
          .toJson(m.toJson()));
    } else {
      out.print(m.toText());
    }
    out.flush();
    return 0;
  }

  private int clusterOverhead() {
    var parsed = spec.commandLine().getParseResult();
    ClusterOverhead.Settings settings = new ClusterOverhead.Settings(
        parsed.hasMatchedOption("--neurons") ? neurons : 1000,
        parsed.hasMatchedOption("--steps") ? steps : 200, chips == null ? 200 : chips,
        warmupChips, workers);
    PrintWriter out = spec.commandLine().getOut();
    ClusterOverhead.Result result = ClusterOverhead.run(settings,
        List.of(QuenchCli.class.getName(), "worker"),
        CommandSupport.quiet(spec) ? line -> { } : ClusterOptions.lines(spec));
    out.print(result.toText());
    out.flush();
    return 0;
  }

  /**
   * Runs {@code body} with a progress bar of {@code total} units that starts at the first report,
   * so that building and loading do not skew its ETA.
   */
  private <T> T withBar(String task, long total, java.util.function.Function<LongConsumer, T> body) {
    Progress[] bar = {null};
    try {
      return body.apply(done -> {
        if (bar[0] == null) {
          bar[0] = Progress.start(task, total, CommandSupport.quiet(spec));
        }
        bar[0].stepTo(done);
      });
    } finally {
      if (bar[0] != null) {
        bar[0].close();
      }
    }
  }

  /** Runs one peer on the same shape and adds its rates and the emulator's ratios to it. */
  private void comparePeer(PythonBaseline peer, SyntheticNetwork.Shape shape, EmulatorThroughput.Measurement m,
      JsonObject result, PrintWriter out) {
    String label = String.format(Locale.ROOT, "%-12s", peer.name());
    Optional<Path> script = peer.locate();
    Optional<JsonObject> measured = script.isEmpty() ? Optional.empty()
        : peer.run(script.get(), shape, warmup, steps);
    if (measured.isEmpty()) {
      String why = script.isEmpty() ? peer.script() + " not found (run quench from the repository)"
          : "skipped: needs " + peer.needs();
      result.addProperty(peer.name() + "Skipped", why);
      if (!json) {
        out.println(label + why);
      }
      return;
    }
    JsonObject b = measured.get();
    double ratioNeurons = m.neuronUpdatesPerSecond() / b.get("neuronUpdatesPerSecond").getAsDouble();
    double ratioSynapses = m.synapticEventsPerSecond() / b.get("synapticEventsPerSecond").getAsDouble();
    b.addProperty("speedupNeuronUpdates", ratioNeurons);
    b.addProperty("speedupSynapticEvents", ratioSynapses);
    result.add(peer.name(), b);
    if (!json) {
      out.printf(Locale.ROOT, "%s%.3g neuron updates/s   %.3g synaptic events/s   %.2f%% spiking   (%s)%n",
          label, b.get("neuronUpdatesPerSecond").getAsDouble(), b.get("synapticEventsPerSecond").getAsDouble(),
          100 * b.get("spikeFraction").getAsDouble(), b.get("implementation").getAsString());
      out.printf(Locale.ROOT, "%sspeedup %.1fx neuron updates, %.1fx synaptic events (emulator / %s)%n",
          " ".repeat(12), ratioNeurons, ratioSynapses, peer.name());
    }
  }
}
