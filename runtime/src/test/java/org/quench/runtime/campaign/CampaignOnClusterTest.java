package org.quench.runtime.campaign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.cli.QuenchCli;
import org.quench.runtime.cluster.ClusterSettings;
import org.quench.runtime.cluster.ClusterWorkRunner;
import org.quench.runtime.cluster.WorkerProcesses;
import org.quench.runtime.encode.InputFiles;
import org.quench.runtime.work.ThreadWorkRunner;
import org.quench.runtime.work.WorkReport;

/**
 * Mismatch campaigns on a real cluster: three {@code quench worker} JVMs on 127.0.0.1 (a random
 * cluster name, free ports), driven from this JVM as a coordinator. Results must equal the
 * in-process ones bit for bit, survive a coordinator that stops half-way and a worker killed
 * mid-campaign, and bad cluster settings must give one line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CampaignOnClusterTest {
  @TempDir
  static Path dir;

  private static WorkerProcesses workers;
  private static MismatchCampaign campaign;

  @BeforeAll
  static void startWorkers() {
    workers = WorkerProcesses.start(List.of(QuenchCli.class.getName(), "worker"), 3, 1, 90, true);
    ChipImage image = CampaignFixture.brailleImage(dir);
    Stimulus sample = InputFiles.read(CampaignFixture.brailleInput(dir), image).chunk(0, 120);
    campaign = MismatchCampaign.prepare(image, "loihi", List.of(sample), new int[] {3}, null,
        new CompensatedImages(image, org.quench.hal.ChipSpec.loihi()));
  }

  @AfterAll
  static void stopWorkers() {
    if (workers != null) {
      workers.close();
    }
  }

  private static ClusterWorkRunner coordinator() {
    return ClusterWorkRunner.connect(ClusterSettings.coordinator(workers.joinList(), workers.name(),
        20, false), line -> { });
  }

  private static List<ChipResult> inProcess(List<ChipRun> runs) {
    try (ThreadWorkRunner r = new ThreadWorkRunner(2)) {
      return campaign.run(r, runs, done -> { });
    }
  }

  private static String[] quench(int expectedCode, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = QuenchCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    String[] texts = {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    assertEquals(expectedCode, code, String.join(" ", args) + ": " + texts[0] + texts[1]);
    return texts;
  }

  @Test
  @Order(1)
  void quenchMismatchOnTheClusterWritesTheSameCsvAsInProcess() throws Exception {
    Path model = CampaignFixture.braille(dir);
    List<String> common = List.of("mismatch", model.toString(), "--discretize", "euler", "--chips",
        "5", "--variability", "analog", "--compensate", "--steps", "100", "-q");
    List<String> here = new ArrayList<>(common);
    here.addAll(List.of("--out", dir.resolve("here").toString(), "--threads", "2"));
    List<String> there = new ArrayList<>(common);
    there.addAll(List.of("--out", dir.resolve("there").toString(), "--cluster", workers.joinList(),
        "--cluster-name", workers.name()));
    quench(0, here.toArray(String[]::new));
    String[] shown = quench(0, there.toArray(String[]::new));
    assertTrue(shown[0].contains("on cluster '" + workers.name() + "' (3 workers, 3 threads)"), shown[0]);
    byte[] a = Files.readAllBytes(dir.resolve("here/chips.csv"));
    byte[] b = Files.readAllBytes(dir.resolve("there/chips.csv"));
    assertTrue(new String(a, StandardCharsets.UTF_8).lines().count() > 10, "10 chip runs and facts");
    assertArrayEquals(a, b, "chips.csv is the same file, byte for byte");
  }

  @Test
  @Order(2)
  void aCoordinatorStoppedHalfWayResumesFromWhatTheClusterStored() {
    List<ChipRun> runs = campaign.runs(Serials.first(24), List.of("analog"), false);
    List<ChipResult> expected = inProcess(runs);
    try (ClusterWorkRunner first = coordinator()) {
      RuntimeException stop = assertThrows(IllegalStateException.class, () ->
          campaign.run(first, runs, (index, result, done) -> {
            if (done == 8) {
              throw new IllegalStateException("coordinator stopped");
            }
          }));
      assertEquals("coordinator stopped", stop.getMessage());
    }
    List<ChipResult> results;
    WorkReport report;
    try (ClusterWorkRunner second = coordinator()) {
      results = campaign.run(second, runs, done -> { });
      report = second.lastReport();
    }
    assertEquals(expected, results, "the resumed campaign equals the in-process one");
    assertTrue(report.resumed() >= 8, "at least the 8 results seen before the stop are reused: " + report);
    assertEquals(24, report.resumed() + report.computed(), "each chip counted once: " + report);
    assertTrue(report.computed() <= 16, "only chips not stored are computed again: " + report);
  }

  @Test
  @Order(3)
  void badClusterSettingsGiveOneLine() throws Exception {
    Path model = CampaignFixture.braille(dir);
    List<String> base = List.of("mismatch", model.toString(), "--discretize", "euler", "--chips", "2",
        "--variability", "analog", "--steps", "20", "--out", dir.resolve("bad").toString(),
        "--join-timeout", "2");
    List<String[]> cases = new ArrayList<>();
    cases.add(new String[] {"--cluster", workers.joinList(), "--cluster-name", "not-" + workers.name()});
    cases.add(new String[] {"--cluster", "127.0.0.1:1"});
    cases.add(new String[] {"--cluster", dir.resolve("missing.yaml").toString()});
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "hazelcast:\n  network: [unclosed\n");
    cases.add(new String[] {"--cluster", broken.toString()});
    cases.add(new String[] {"--cluster", "127.0.0.1:99999"});
    List<String> expected = List.of("cannot reach", "cannot reach", "does not exist",
        "is not a valid Hazelcast", "no valid port");
    for (int c = 0; c < cases.size(); c++) {
      List<String> args = new ArrayList<>(base);
      args.addAll(List.of(cases.get(c)));
      String err = quench(1, args.toArray(String[]::new))[1].strip();
      assertEquals(1, err.lines().count(), "one line: " + err);
      assertTrue(err.startsWith("quench: ") && err.contains(expected.get(c)), err);
      assertFalse(err.contains("Exception"), err);
    }
  }

  @Test
  @Order(4)
  void aWorkerKilledMidCampaignLosesNothingAndCountsNothingTwice() {
    List<ChipRun> runs = campaign.runs(Serials.first(40), List.of("analog"), false);
    List<ChipResult> expected = inProcess(runs);
    List<Long> counts = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    List<ChipResult> results;
    WorkReport report;
    try (ClusterWorkRunner runner = coordinator()) {
      results = campaign.run(runner, runs, (index, result, done) -> {
        assertTrue(seen.add(index), "item " + index + " reported twice");
        counts.add(done);
        if (done == 5) {
          workers.kill(2);
        }
      });
      report = runner.lastReport();
    }
    assertEquals(expected, results, "every chip's result equals the in-process one");
    assertEquals(40, seen.size());
    assertEquals(40L, counts.get(counts.size() - 1), "the progress count ends at the item count");
    assertEquals(40, report.resumed() + report.computed(), "each chip counted once: " + report);
    assertTrue(report.retried() >= 1, "the killed worker's chunks were sent again: " + report);
  }
}
