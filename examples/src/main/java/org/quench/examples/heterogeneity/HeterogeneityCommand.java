package org.quench.examples.heterogeneity;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.quench.hal.QuenchException;
import org.quench.runtime.cli.ClusterOptions;
import org.quench.runtime.cli.Progress;
import org.quench.runtime.cli.QuenchCommand;
import org.quench.runtime.work.WorkRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quench study heterogeneity}: runs the heterogeneity study (or resumes it from its CSV),
 * then writes the claims summary and the plots. See docs/heterogeneity-study.md.
 */
@Command(name = "heterogeneity", mixinStandardHelpOptions = true,
    description = {"Measure whether fixed, diverse time constants make reservoirs compute better:"
        + " 217 temporal tasks, rate and spiking reservoirs (the spiking ones compiled for Loihi"
        + " and run on the emulator beside the float reference), sweeps of size, tau distribution,"
        + " recurrent gain and training length; a CSV row per (task, configuration, seed), a"
        + " claims summary (summary.md) and PNG plots.",
        "Rerunning the same command resumes from the CSV: finished rows are not computed again."},
    footerHeading = "%nExamples:%n",
    footer = {"  quench study heterogeneity --quick                 representative subset, minutes",
        "  quench study heterogeneity --out study-full        the full study, all cores",
        "  quench study heterogeneity --quick --threads 1      one worker thread",
        "  quench study heterogeneity --cluster 10.0.0.5,10.0.0.6   on a cluster's workers"})
public final class HeterogeneityCommand implements Callable<Integer> {
  @Option(names = "--quick", description = "A representative subset (a few minutes on 2 cores).")
  boolean quick;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Directory for study.csv, summary.md and the plots (default: quench-out/heterogeneity[-quick]).")
  Path out;

  @Option(names = "--threads", paramLabel = "N",
      description = "Worker threads (default: all available processors).")
  Integer threads;

  @Option(names = "--variability", paramLabel = "PRESET", split = ",",
      description = "Variability presets of the mismatch sweep (emulated chips emu:loihi?serial=S"
          + "&variability=PRESET), instead of the study's own; 'none' leaves the sweep out.")
  List<String> variability;

  @Mixin
  ClusterOptions cluster;

  @Spec
  CommandSpec spec;

  /** The plan to run instead of the quick or full one (tests); null in normal use. */
  private final StudyPlan planOverride;

  /** The command as the CLI creates it. */
  public HeterogeneityCommand() {
    this(null);
  }

  HeterogeneityCommand(StudyPlan plan) {
    planOverride = plan;
  }

  @Override
  public Integer call() {
    PrintWriter text = spec.commandLine().getOut();
    int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    if (workers < 1) {
      throw new QuenchException("--threads " + workers + " must be at least 1");
    }
    StudyPlan plan = planOverride != null ? planOverride
        : quick ? StudyPlan.quickStudy() : StudyPlan.fullStudy();
    if (variability != null) {
      plan = plan.withVariabilities(variability.contains("none") ? List.of() : variability);
    }
    Path dir = out != null ? out : Path.of("quench-out", quick ? "heterogeneity-quick" : "heterogeneity");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new QuenchException("cannot create output directory " + dir + ": " + e.getMessage());
    }
    Path csv = dir.resolve("study.csv");
    List<WorkItem> items = plan.items();
    int rows = items.stream().mapToInt(w -> w.tasks().size()).sum();
    long t0 = System.nanoTime();
    StudyRunner.Outcome outcome;
    try (WorkRunner runner = cluster.runner(workers, spec)) {
      text.printf(Locale.ROOT, "heterogeneity study%s: %d rows in %d work items on %s -> %s%n",
          quick ? " (quick)" : "", rows, items.size(), runner.where(), csv);
      text.flush();
      try (Progress bar = Progress.start("study", 1, QuenchCommand.quiet(spec))) {
        outcome = StudyRunner.run(items, csv, runner, bar);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    text.printf(Locale.ROOT, "ran %d work items (%d already in the CSV), wrote %d rows in %.1f s%n",
        outcome.itemsRun(), outcome.itemsSkipped(), outcome.rowsWritten(), seconds);
    var lines = StudyCsv.read(csv).values();
    StudyResults results = new StudyResults(lines);
    Claims claims = new Claims(plan, results);
    String command = "quench study heterogeneity" + (quick ? " --quick" : "")
        + (variability == null ? "" : " --variability " + String.join(",", variability));
    List<Path> plots = StudyPlots.write(plan, results, dir);
    String summary = StudySummary.markdown(plan, results, claims, lines.size(), command,
        plots.stream().map(p -> p.getFileName().toString()).toList());
    Path md = dir.resolve("summary.md");
    try {
      Files.writeString(md, summary, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    text.println();
    text.print(StudySummary.claimsTable(claims.verdicts()).replace("<br>", "; "));
    text.println();
    text.println("wrote " + md + ", " + csv + " and " + plots.size() + " plots in " + dir);
    text.flush();
    return 0;
  }
}
