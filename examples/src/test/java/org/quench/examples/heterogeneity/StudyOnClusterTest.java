package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.cli.QuenchCli;
import org.quench.runtime.cluster.WorkerProcesses;
import picocli.CommandLine;

/**
 * The heterogeneity study on a real cluster: two {@code quench worker} JVMs on 127.0.0.1 run a
 * small plan (rate and spiking reservoirs, the spiking ones on emulated chips) for
 * {@code quench study heterogeneity --cluster}; its CSV must hold the same rows, number for
 * number, as the in-process run, and its summary the same claims. The mismatch rows' chips come
 * from a variability model file given by a path relative to this JVM's directory, which the
 * workers (each in an empty directory of its own) cannot see: its content travels.
 */
class StudyOnClusterTest {
  @TempDir
  Path dir;

  /** A plan smaller than the command test's: one size, seed and drive each, rate and spiking. */
  static StudyPlan small() {
    return new StudyPlan(true, List.of(12), 12, 12, 1.0, 0.5, List.of(1.0), List.of(0.9),
        List.of(500), List.of(1L), List.of(Drive.HENON_X), List.of(16), List.of(Drive.LOGISTIC),
        List.of(1L), List.of(), 200);
  }

  private static String run(Path out, String... extra) {
    StringWriter text = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new HeterogeneityCommand(small()));
    cli.setOut(new PrintWriter(text, true));
    cli.setErr(new PrintWriter(err, true));
    String[] args = new String[extra.length + 2];
    args[0] = "--out";
    args[1] = out.toString();
    System.arraycopy(extra, 0, args, 2, extra.length);
    assertEquals(0, cli.execute(args), err.toString());
    return text.toString();
  }

  @Test
  void theStudyOnTwoWorkersWritesTheSameRowsAsInProcess() throws Exception {
    Path here = dir.resolve("here");
    Path there = dir.resolve("there");
    String shown;
    List<String> worker = List.of(QuenchCli.class.getName(), "worker");
    Path local = Files.createTempDirectory(Path.of("target"), "study-files-");
    try {
      Path model = local.resolve("lab.json");
      Files.writeString(model, "{\"name\": \"lab\", \"distribution\": \"LOGNORMAL\","
          + " \"voltageDecay\": {\"neuron\": 0.1}, \"threshold\": {\"neuron\": 0.15}}");
      try (WorkerProcesses workers = WorkerProcesses.start(worker, 2, 2, 90, true)) {
        shown = run(there, "--cluster", workers.joinList(), "--cluster-name", workers.name(),
            "--variability", model.toString());
      }
      run(here, "--threads", "2", "--variability", model.toString());
    } finally {
      try (var files = Files.walk(local)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    assertTrue(shown.contains("(2 workers, 4 threads)"), shown);
    Map<String, StudyCsv.Line> expected = StudyCsv.read(here.resolve("study.csv"));
    Map<String, StudyCsv.Line> got = StudyCsv.read(there.resolve("study.csv"));
    assertTrue(expected.size() > 20, "rows: " + expected.size());
    assertTrue(expected.keySet().stream().anyMatch(k -> k.contains("variability=target/study-files-")),
        "rows on chips of the model file: " + expected.keySet());
    assertEquals(expected.keySet(), got.keySet());
    expected.forEach((k, v) -> assertEquals(v.columns(), got.get(k).columns(), k));
    List<String> claims = Files.readAllLines(here.resolve("summary.md")).stream()
        .filter(l -> l.startsWith("| ")).toList();
    assertEquals(claims, Files.readAllLines(there.resolve("summary.md")).stream()
        .filter(l -> l.startsWith("| ")).toList(), "the same claims table");
  }
}
