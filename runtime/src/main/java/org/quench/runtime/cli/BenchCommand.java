package org.quench.runtime.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.quench.runtime.bench.EmulatorThroughput;
import org.quench.runtime.bench.NumpyBaseline;
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
            + " neurons spiking per step. Targets: >= 100M neuron updates/s, >= 200M synaptic"
            + " events/s, <= 6 bytes/synapse; each is reported as PASS or MISS at the size they were"
            + " set for (100,000 neurons x 100 synapses), as n/a at any other size."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench bench                          100k neurons, 10M synapses",
        "  quench bench --threads 1 --steps 200  one thread, fewer steps",
        "  quench bench --neurons 2000 --json    a quick run, one JSON object",
        "  quench bench --baseline               compare with bench/numpy_baseline.py"})
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

  @Option(names = "--warmup", paramLabel = "N",
      description = "Steps run before measuring (default: ${DEFAULT-VALUE}).")
  int warmup = 200;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the network and its input (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--json", description = "Print one JSON object on stdout instead of the report.")
  boolean json;

  @Option(names = "--baseline",
      description = "Also run bench/numpy_baseline.py (python3 with numpy) on the same shape and print the ratio.")
  boolean baseline;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    SyntheticNetwork.Shape shape = new SyntheticNetwork.Shape(neurons, synapsesPerNeuron, neuronsPerCore, seed);
    EmulatorThroughput.Settings settings = new EmulatorThroughput.Settings(shape, threads, warmup, steps);
    EmulatorThroughput.Measurement m;
    // The bar starts with the first steps, so that building and loading do not skew its ETA.
    Progress[] bar = {null};
    try {
      m = EmulatorThroughput.run(settings, done -> {
        if (bar[0] == null) {
          bar[0] = Progress.start("bench", (long) warmup + steps, CommandSupport.quiet(spec));
        }
        bar[0].stepTo(done);
      });
    } finally {
      if (bar[0] != null) {
        bar[0].close();
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    JsonObject result = m.toJson();
    if (!json) {
      out.print(m.toText());
    }
    Optional<Path> script = NumpyBaseline.locate();
    if (baseline) {
      if (script.isEmpty()) {
        String hint = "NumPy baseline: " + NumpyBaseline.SCRIPT + " not found (run quench from the repository)";
        if (json) {
          result.addProperty("baselineError", hint);
        } else {
          out.println(hint);
        }
      } else {
        JsonObject b = NumpyBaseline.run(script.get(), shape, warmup, steps);
        result.add("baseline", b);
        double ratioNeurons = m.neuronUpdatesPerSecond() / b.get("neuronUpdatesPerSecond").getAsDouble();
        double ratioSynapses = m.synapticEventsPerSecond() / b.get("synapticEventsPerSecond").getAsDouble();
        result.addProperty("speedupNeuronUpdates", ratioNeurons);
        result.addProperty("speedupSynapticEvents", ratioSynapses);
        if (!json) {
          out.printf(Locale.ROOT, "numpy       %.3g neuron updates/s   %.3g synaptic events/s   %.2f%% spiking%n",
              b.get("neuronUpdatesPerSecond").getAsDouble(), b.get("synapticEventsPerSecond").getAsDouble(),
              100 * b.get("spikeFraction").getAsDouble());
          out.printf(Locale.ROOT, "speedup     %.1fx neuron updates, %.1fx synaptic events (emulator / numpy)%n",
              ratioNeurons, ratioSynapses);
        }
      }
    } else if (!json) {
      out.println("baseline    compare with NumPy: quench bench --baseline, or "
          + String.join(" ", NumpyBaseline.command(Path.of(NumpyBaseline.SCRIPT), shape, warmup, steps)));
    }
    if (json) {
      out.println(new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create().toJson(result));
    }
    out.flush();
    return 0;
  }
}
