package org.quench.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipImages;
import org.quench.hal.QuenchException;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.model.ModelOptions;
import org.quench.runtime.model.PrecisionSweep;
import org.quench.runtime.plot.PrecisionPlot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quench compile}: a NIR or netx model to a chip image, with the compile summary on the
 * console and, on request, the full report as JSON.
 */
@Command(
    name = "compile",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = "Compile a trained model (NIR .nir or lava-dl netx .net) into a chip image.",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench compile braille.nir -o braille.qimg",
        "  quench compile braille.nir -o b.qimg --dt 1e-4 --discretize euler --report b.json",
        "  quench compile model.nir -o m.qimg --dt 1e-3 --strict          (CI: any warning fails)",
        "  quench compile model.nir -o m.qimg --chip my-chip.json --max-tau-error 0.05",
        "  quench compile model.nir -o m.qimg --dt 1e-3 --max-tau-error 0.02 --max-cores 64",
        "  quench compile model.nir -o m.qimg --precision-sweep tradeoff.png",
        "  quench compile lava.net -o lava.qimg               (netx: already fixed point, not requantized)",
        "  quench compile tiny.net -o tiny.qimg --sample-steps 17   (netx: reset between samples)"})
final class CompileCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL", description = "A NIR (.nir) or lava-dl netx (.net) file.")
  Path model;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT.qimg", required = true,
      description = "Where to write the chip image (binary form; .json writes the canonical JSON form).")
  Path output;

  @Option(names = "--report", paramLabel = "FILE.json",
      description = "Also write the full compile report as JSON.")
  Path report;

  @Option(names = "--precision-sweep", paramLabel = "OUT.png",
      description = "Also compile once per tau target (20 %% down to 0.5 %%) and plot tau error (p50,"
          + " p95, max) and weight RMS error against cores used.")
  Path precisionSweep;

  @Mixin
  ModelOptions options;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    checkWritable(output, "--output");
    if (report != null) {
      checkWritable(report, "--report");
    }
    if (precisionSweep != null) {
      checkWritable(precisionSweep, "--precision-sweep");
    }
    ModelCompilation compiled;
    // Stages: import, the compiler's stages, write. The compiler's count is known once it runs.
    long[] total = {1};
    try (Progress progress = Progress.start("compile", total[0], CommandSupport.quiet(spec))) {
      progress.note("importing " + model.getFileName());
      compiled = ModelCompilation.compile(model, options, (stage, index, stages) -> {
        if (index == 0) {
          total[0] = stages + 2L;
          progress.resize(total[0]);
        }
        progress.stepTo(index + 1L);
        progress.note(stage);
      });
      progress.stepTo(total[0] - 1);
      progress.note("writing " + output.getFileName());
      if (output.getFileName().toString().endsWith(".json")) {
        ChipImages.writeJson(compiled.result().image(), output);
      } else {
        ChipImages.write(compiled.result().image(), output);
      }
      if (report != null) {
        Files.writeString(report, compiled.result().report().toJson(), StandardCharsets.UTF_8);
      }
      progress.stepTo(total[0]);
    }
    out.println(compiled.result().report().summary());
    out.println("image: " + output + (report != null ? "  report: " + report : ""));
    if (precisionSweep != null) {
      sweep(compiled, out);
    }
    return 0;
  }

  private void sweep(ModelCompilation compiled, PrintWriter out) {
    List<PrecisionSweep.Point> points;
    try (Progress progress = Progress.start("precision sweep", PrecisionSweep.TARGETS.length + 1,
        CommandSupport.quiet(spec))) {
      points = PrecisionSweep.run(compiled.reference(), options.spec(), options.nir(),
          options.compileOptions(), (done, total) -> progress.stepTo(done));
    }
    out.println("precision sweep (tau target: cores, tau p50 / p95 / max, worst weight RMS):");
    for (PrecisionSweep.Point p : points) {
      out.printf(Locale.ROOT, "  %-6s %4d cores  %s / %s / %s  weights %s%n",
          Double.isFinite(p.tauTarget()) ? CompileReport.percent(p.tauTarget()) : "none",
          p.cores(), CompileReport.percent(p.tauP50()), CompileReport.percent(p.tauP95()),
          CompileReport.percent(p.tauMax()), CompileReport.percent(p.weightRms()));
    }
    PrecisionPlot.write(points, "precision vs cores: " + model.getFileName() + " at dt " + options.nir().dt()
        + " s", precisionSweep);
    out.println("plot: " + precisionSweep);
  }

  private static void checkWritable(Path file, String option) {
    Path dir = file.toAbsolutePath().getParent();
    if (Files.isDirectory(file)) {
      throw new QuenchException(option + " " + file + " is a directory: give a file name");
    }
    if (dir != null && !Files.isDirectory(dir)) {
      throw new QuenchException(option + " " + file + ": directory " + dir + " does not exist");
    }
  }
}
