package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.QuenchException;
import org.quench.runtime.cli.Progress;

class StudyCsvTest {
  @TempDir
  Path dir;

  private static List<WorkItem> items() {
    List<WorkItem> items = new ArrayList<>();
    for (TauShape s : List.of(TauShape.HOMOGENEOUS, TauShape.GAMMA)) {
      ReservoirConfig c = ReservoirConfig.rate(16, s, 0.5).withTrain(200).withTest(100);
      for (long seed : List.of(1L, 2L)) {
        items.add(new WorkItem(Drive.HENON_X, c, seed, TaskSuite.on(Drive.HENON_X)));
        items.add(new WorkItem(Drive.LOGISTIC, c, seed, TaskSuite.on(Drive.LOGISTIC)));
      }
    }
    return items;
  }

  @Test
  void anInterruptedStudyResumesFromItsCsvAndEndsWithTheSameRows() throws Exception {
    Path clean = dir.resolve("clean.csv");
    StudyRunner.Outcome all = StudyRunner.run(items(), clean, 2, Progress.hidden());
    assertEquals(8, all.itemsRun());
    Map<String, StudyCsv.Line> expected = StudyCsv.read(clean);
    assertEquals(items().stream().mapToInt(w -> w.tasks().size()).sum(), expected.size());

    // An interruption: the file lost its last rows and the last line was torn mid-write.
    Path resumed = dir.resolve("resumed.csv");
    List<String> lines = Files.readAllLines(clean, StandardCharsets.UTF_8);
    List<String> kept = new ArrayList<>(lines.subList(0, lines.size() - 12));
    String torn = lines.get(lines.size() - 12);
    kept.add(torn.substring(0, torn.length() / 2));
    Files.writeString(resumed, String.join("\n", kept), StandardCharsets.UTF_8);
    assertEquals(expected.size() - 12, StudyCsv.read(resumed).size(), "the torn line is not a row");

    StudyRunner.Outcome again = StudyRunner.run(items(), resumed, 1, Progress.hidden());
    assertTrue(again.itemsSkipped() > 0 && again.itemsRun() > 0, "some items skipped, some rerun: " + again);
    assertEquals(12, again.rowsWritten(), "only the missing rows are written");
    Map<String, StudyCsv.Line> got = StudyCsv.read(resumed);
    assertEquals(expected.keySet(), got.keySet());
    expected.forEach((k, v) -> assertEquals(v.columns(), got.get(k).columns(), k));

    StudyRunner.Outcome nothing = StudyRunner.run(items(), resumed, 2, Progress.hidden());
    assertEquals(0, nothing.itemsRun(), "a finished study runs nothing");
  }

  @Test
  void aRowReadBackRebuildsItsConfigurationAndKey() {
    WorkItem w = items().get(5);
    StudyRow row = w.rows().get(0);
    RowResult r = row.run();
    Path csv = dir.resolve("one.csv");
    StudyCsv.prepare(csv);
    StudyCsv.append(csv, List.of(StudyCsv.line(row, r)));
    StudyCsv.Line line = StudyCsv.read(csv).values().iterator().next();
    assertEquals(row.config(), line.config());
    assertEquals(row.key(), line.key());
    assertEquals(r.nrmse(), line.number("nrmse"));
  }

  @Test
  void aCsvWithAnotherHeaderIsRefusedWithOneLine() throws Exception {
    Path csv = dir.resolve("other.csv");
    Files.writeString(csv, "a,b,c\n1,2,3\n");
    QuenchException e = assertThrows(QuenchException.class, () -> StudyCsv.prepare(csv));
    assertTrue(e.getMessage().contains("another header"), e.getMessage());
  }
}
