package org.quench.runtime.campaign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.cli.InProcessRun;
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
    campaign = MismatchCampaign.prepare(image, ChipSpec.loihi(), List.of("analog"), List.of(sample),
        new int[] {3}, null,
        new CompensatedImages(image, ChipSpec.loihi()));
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
    InProcessRun.expecting(0, here.toArray(String[]::new));
    String shown = InProcessRun.expecting(0, there.toArray(String[]::new)).out();
    assertTrue(shown.contains("on cluster '" + workers.name() + "' (3 workers, 3 threads)"), shown);
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
      String err = InProcessRun.expecting(1, args.toArray(String[]::new)).err().strip();
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

  /** Writes a variability model: analog-like spreads under the name {@code lab}. */
  private static void labModel(Path file) throws IOException {
    Files.writeString(file, "{\"name\": \"lab\", \"distribution\": \"LOGNORMAL\","
        + " \"currentDecay\": {\"neuron\": 0.1}, \"threshold\": {\"chip\": 0.05, \"neuron\": 0.15},"
        + " \"weight\": {\"neuron\": 0.1, \"synapse\": 0.08}, \"faults\": {\"deadNeuron\": 0.005}}");
  }

  @Test
  @Order(5)
  void modelAndSpecFilesTheWorkersCannotSeeGiveTheSameCsv() throws Exception {
    // Paths relative to this JVM's directory: each worker runs in an empty directory of its own,
    // so it could not read these files; the coordinator sends their content.
    Path local = Files.createTempDirectory(Path.of("target"), "campaign-files-");
    try {
      assertFalse(local.isAbsolute(), local.toString());
      Path model = local.resolve("lab-analog.json");
      labModel(model);
      Path spec = local.resolve("lab-loihi.json");
      Files.writeString(spec, ChipSpec.loihi().toJson().replace("\"loihi\"", "\"lab-loihi\""));
      List<String> common = List.of("mismatch", CampaignFixture.braille(dir).toString(), "--discretize",
          "euler", "--chip", spec.toString(), "--chips", "4", "--sweep-variability", model + ",mild",
          "--compensate", "--steps", "60", "-q");
      List<String> here = new ArrayList<>(common);
      here.addAll(List.of("--out", dir.resolve("files-here").toString(), "--threads", "2"));
      List<String> there = new ArrayList<>(common);
      there.addAll(List.of("--out", dir.resolve("files-there").toString(), "--cluster",
          workers.joinList(), "--cluster-name", workers.name()));
      InProcessRun.expecting(0, here.toArray(String[]::new));
      InProcessRun.expecting(0, there.toArray(String[]::new));
      byte[] a = Files.readAllBytes(dir.resolve("files-here/chips.csv"));
      byte[] b = Files.readAllBytes(dir.resolve("files-there/chips.csv"));
      String csv = new String(a, StandardCharsets.UTF_8);
      assertTrue(csv.contains("\n1," + model + ",false,"), "rows name the level as given: " + csv);
      assertTrue(csv.contains("# chip=" + spec), csv);
      assertArrayEquals(a, b, "chips.csv is the same file, byte for byte");
    } finally {
      try (var files = Files.walk(local)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  @Test
  @Order(6)
  void aModelFileDeletedAfterTheCoordinatorReadItStillRunsOnTheWorkers() throws Exception {
    Path model = dir.resolve("deleted/lab.json");
    Files.createDirectories(model.getParent());
    labModel(model);
    ChipImage image = campaign.image();
    MismatchCampaign withFile = MismatchCampaign.prepare(image, ChipSpec.loihi(),
        List.of(model.toString()), campaign.samples(), null, null, new CompensatedImages(image,
        ChipSpec.loihi()));
    Files.delete(model);
    List<ChipRun> runs = withFile.runs(Serials.first(6), List.of(model.toString()), true);
    List<ChipResult> expected;
    try (ThreadWorkRunner r = new ThreadWorkRunner(2)) {
      expected = withFile.run(r, runs, done -> { });
    }
    List<ChipResult> results;
    try (ClusterWorkRunner runner = coordinator()) {
      results = withFile.run(runner, runs, done -> { });
    }
    assertEquals(expected, results, "the workers ran the model they were sent");
    assertEquals(model.toString(), results.get(0).variability());
  }
}
