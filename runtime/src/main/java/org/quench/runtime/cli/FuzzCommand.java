package org.quench.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.quench.hal.QuenchException;
import org.quench.runtime.fuzz.FuzzCase;
import org.quench.runtime.fuzz.FuzzCorpus;
import org.quench.runtime.fuzz.FuzzKind;
import org.quench.runtime.fuzz.FuzzTally;
import org.quench.runtime.fuzz.Fuzzer;
import org.quench.runtime.io.ScratchDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quench fuzz}: mutated inputs of each kind through Quench's own paths, classified. */
@Command(
    name = "fuzz",
    mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = {
        "Feed mutated model files, chip images and chip specs through Quench and classify every"
            + " case: ran, refused with a clear message, or failed (another exception, an unclear"
            + " message, over the CPU or memory limit). Exit status 1 when any case failed.",
        "Mutants are byte flips, boundary values, truncations, duplicated and zeroed ranges, and for"
            + " images field changes written with a fresh checksum. Case I of seed S is always the"
            + " same input: rerun it alone with --first I --cases 1 --save DIR. See docs/fuzzing.md."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench fuzz --kind nir --cases 10000 --seed 1",
        "  quench fuzz --cases 500 --corpus compiler/src/test/resources     every kind",
        "  quench fuzz --kind image --first 4711 --cases 1 --save /tmp/case  keep one case's input"})
final class FuzzCommand implements Callable<Integer> {
  @Option(names = "--kind", paramLabel = "KIND", split = ",",
      description = "Input kinds (default: all): nir, netx, image, image-json, spec, variability,"
          + " profile, profile-json, board.")
  List<String> kinds = new ArrayList<>();

  @Option(names = "--cases", paramLabel = "N", description = "Cases per kind (default: ${DEFAULT-VALUE}).")
  int cases = 1000;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of the run (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(names = "--first", paramLabel = "I", description = "Number of the first case (default: 0).")
  int first;

  @Option(names = "--corpus", paramLabel = "DIR",
      description = "Also seed from the .nir, .net, .qimg and chip spec .json files under DIR"
          + " (default: only the models shipped in Quench).")
  List<Path> corpus = new ArrayList<>();

  @Option(names = "--save", paramLabel = "DIR", description = "Write each failing case's input here.")
  Path save;

  @Option(names = "--cpu-ms", paramLabel = "MS",
      description = "CPU time limit per case (default: ${DEFAULT-VALUE}).")
  long cpuMillis = Fuzzer.Limits.standard().cpuMillis();

  @Option(names = "--max-mib", paramLabel = "MIB",
      description = "Allocation limit per case in MiB (default: ${DEFAULT-VALUE}).")
  long maxMib = Fuzzer.Limits.standard().allocatedBytes() >> 20;

  @Option(names = "--verbose", description = "One line per case, not only per failure.")
  boolean verbose;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (cases < 1 || first < 0) {
      throw new QuenchException("--cases must be at least 1 and --first at least 0, got " + cases
          + " and " + first);
    }
    if (cpuMillis < 1 || maxMib < 1) {
      throw new QuenchException("--cpu-ms and --max-mib must be positive");
    }
    List<FuzzKind> chosen = new ArrayList<>();
    for (String k : kinds) {
      chosen.add(FuzzKind.of(k.strip()));
    }
    if (chosen.isEmpty()) {
      chosen.addAll(List.of(FuzzKind.values()));
    }
    PrintWriter out = spec.commandLine().getOut();
    try (ScratchDirectory scratch = ScratchDirectory.create("quench-fuzz");
        FuzzCorpus seeds = FuzzCorpus.load(corpus, scratch)) {
      Fuzzer fuzzer = new Fuzzer(seeds, new Fuzzer.Limits(cpuMillis, maxMib << 20,
          Math.max(60_000, 10 * cpuMillis)), scratch);
      int failed = 0;
      List<FuzzTally> tallies = new ArrayList<>();
      for (FuzzKind kind : chosen) {
        FuzzTally tally = new FuzzTally(kind);
        try (Progress bar = Progress.start("fuzz " + kind, cases, CommandSupport.quiet(spec))) {
          fuzzer.run(kind, seed, first, cases, c -> {
            tally.add(c);
            bar.stepBy(1);
            if (c.verdict() == FuzzCase.Verdict.FAILED || verbose) {
              out.println(c.describe());
            }
            if (c.verdict() == FuzzCase.Verdict.FAILED && save != null) {
              saveInput(fuzzer, c);
            }
          });
        }
        fuzzer.excludedSeeds().stream().filter(line -> line.startsWith(kind + " "))
            .forEach(line -> out.println("note: " + line));
        failed += tally.failures().size();
        tallies.add(tally);
        out.println(tally.summary() + " (seeds: " + seeds.size(kind) + ")");
      }
      out.println("seed " + seed + ", cases " + first + ".." + (first + cases - 1) + " per kind: "
          + (failed == 0 ? "no failures" : failed + " failed"));
      return failed == 0 ? 0 : QuenchCli.EXIT_FAILURE;
    }
  }

  private void saveInput(Fuzzer fuzzer, FuzzCase c) {
    try {
      Files.createDirectories(save);
      Files.write(save.resolve(c.kind().label() + "-seed" + seed + "-case" + c.index() + c.kind().suffix()),
          fuzzer.input(c.kind(), seed, c.index()));
    } catch (IOException e) {
      throw new QuenchException("cannot save the failing case to " + save + ": " + e.getMessage(), e);
    }
  }
}
