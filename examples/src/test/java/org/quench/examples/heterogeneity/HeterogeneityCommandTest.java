package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.cli.InProcessRun;
import picocli.CommandLine;

class HeterogeneityCommandTest {
  @TempDir
  Path dir;

  /** A plan small enough for a unit test, with every sweep present. */
  static StudyPlan tiny() {
    return new StudyPlan(true, List.of(12, 24), 12, 12, 1.0, 0.5, List.of(0.5, 1.0),
        List.of(0.0, 0.9), List.of(500, 1000), List.of(1L, 2L),
        List.of(Drive.HENON_X, Drive.LOGISTIC), List.of(16), List.of(Drive.LOGISTIC), List.of(1L),
        List.of(), 200);
  }

  private int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = new CommandLine(new HeterogeneityCommand(tiny()));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void writesCsvSummaryAndPlotsAndResumes() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, run(out, err, "--out", dir.toString(), "--threads", "2"), err.toString());
    Path csv = dir.resolve("study.csv");
    long rows = Files.lines(csv).count() - 1;
    assertTrue(rows > 50, "rows written: " + rows);
    String summary = Files.readString(dir.resolve("summary.md"));
    assertTrue(summary.contains("## Claims") && summary.contains("| 5 |"), summary);
    for (String png : List.of("nrmse-vs-n.png", "win-rate.png", "nrmse-vs-g.png",
        "skewed-vs-symmetric.png", "float-vs-chip.png")) {
      byte[] head = Files.readAllBytes(dir.resolve(png));
      assertTrue(head.length > 1000 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G', png);
    }
    assertTrue(out.toString().contains("| 1 |"), "the claims table is printed: " + out);

    StringWriter again = new StringWriter();
    assertEquals(0, run(again, new StringWriter(), "--out", dir.toString()));
    assertTrue(again.toString().contains("ran 0 work items"), again.toString());
    assertEquals(rows, Files.lines(csv).count() - 1, "nothing is computed twice");
  }

  @Test
  void quenchFindsTheStudyCommandAndBadOptionsGiveOneLine() {
    InProcessRun help = InProcessRun.expecting(0, "study", "heterogeneity", "--help");
    assertTrue(help.out().contains("--quick") && help.out().contains("Examples:"), help.out());
    assertTrue(InProcessRun.expecting(0, "--help").out().contains("study"), "quench --help lists study");
    InProcessRun bad = InProcessRun.expecting(1, "study", "heterogeneity", "--threads", "0", "--out", dir.toString());
    assertEquals("quench: --threads 0 must be at least 1", bad.err().strip());
    InProcessRun file = InProcessRun.expecting(1, "study", "heterogeneity", "--variability",
        "mild," + dir.resolve("missing.json"), "--out", dir.toString());
    assertTrue(file.err().startsWith("quench: variability model file " + dir.resolve("missing.json")
        + " does not exist"), file.err());
    assertEquals(1, file.errLines(), file.err());
    InProcessRun unknown = InProcessRun.expecting(2, "study", "heterogeneity", "--no-such-option");
    assertEquals(1, unknown.errLines(), unknown.err());
    assertTrue(unknown.err().startsWith("quench: "), unknown.err());
  }
}
