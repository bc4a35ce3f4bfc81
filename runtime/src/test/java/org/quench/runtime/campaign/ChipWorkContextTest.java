package org.quench.runtime.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.cluster.ClusterWorkRunner;
import org.quench.runtime.encode.InputFiles;
import org.quench.runtime.work.ThreadWorkRunner;
import org.quench.runtime.work.WorkKind;
import org.quench.runtime.work.WorkListener;
import org.quench.runtime.work.WorkReport;
import org.quench.runtime.work.WorkRunner;

/**
 * A campaign's context carries the chip spec and variability models as content: a member that
 * never saw the files runs the chips alike, and the cluster's campaign key follows the files'
 * content, not their paths.
 */
class ChipWorkContextTest {
  @TempDir
  Path dir;

  private ChipImage image;
  private Stimulus sample;

  @BeforeEach
  void braille() {
    image = CampaignFixture.brailleImage(dir);
    sample = InputFiles.read(CampaignFixture.brailleInput(dir), image).chunk(0, 60);
  }

  /** A variability model file: the analog preset's numbers with its own name and neuron spread. */
  private Path model(String where, double neuronSpread) throws IOException {
    Path file = dir.resolve(where);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{\"name\": \"lab\", \"distribution\": \"LOGNORMAL\","
        + " \"threshold\": {\"chip\": 0.05, \"neuron\": " + neuronSpread + "},"
        + " \"bias\": {\"neuron\": 0.1}, \"weight\": {\"neuron\": 0.1, \"synapse\": 0.08},"
        + " \"faults\": {\"deadNeuron\": 0.01}}");
    return file;
  }

  private MismatchCampaign campaign(ChipSpec spec, String level) {
    return MismatchCampaign.prepare(image, spec, List.of(level), List.of(sample), null, null,
        new CompensatedImages(image, spec));
  }

  /** Runs the chips in-process and says which campaign key a cluster would store them under. */
  private static final class KeyRecorder implements WorkRunner {
    private final ThreadWorkRunner threads = new ThreadWorkRunner(2);
    String key;

    @Override
    public <C, I, R> List<R> run(WorkKind<C, I, R> kind, C context, List<I> items,
        WorkListener<R> listener) {
      key = ClusterWorkRunner.campaignKey(kind, context, items);
      return threads.run(kind, context, items, listener);
    }

    @Override
    public String where() {
      return threads.where();
    }

    @Override
    public WorkReport lastReport() {
      return threads.lastReport();
    }

    @Override
    public void close() {
      threads.close();
    }
  }

  private record Outcome(String key, List<ChipResult> results) {}

  private static Outcome run(MismatchCampaign campaign, String level) {
    try (KeyRecorder runner = new KeyRecorder()) {
      List<ChipResult> results = campaign.run(runner,
          campaign.runs(Serials.first(4), List.of(level), true), done -> { });
      return new Outcome(runner.key, results);
    }
  }

  @Test
  void theCampaignKeyFollowsTheModelFilesContentNotItsPath() throws IOException {
    String first = model("a/lab.json", 0.2).toString();
    Path moved = dir.resolve("elsewhere/renamed.json");
    Files.createDirectories(moved.getParent());
    Files.copy(Path.of(first), moved);
    Outcome a = run(campaign(ChipSpec.loihi(), first), first);
    Outcome b = run(campaign(ChipSpec.loihi(), moved.toString()), moved.toString());
    assertEquals(a.key(), b.key(), "the same model under another path is the same campaign");
    for (int i = 0; i < a.results().size(); i++) {
      assertEquals(first, a.results().get(i).variability(), "results carry the level as given");
      assertEquals(moved.toString(), b.results().get(i).variability());
      assertEquals(a.results().get(i).correlation(), b.results().get(i).correlation());
      assertEquals(a.results().get(i).outputSpikes(), b.results().get(i).outputSpikes());
    }

    model("a/lab.json", 0.3);
    Outcome changed = run(campaign(ChipSpec.loihi(), first), first);
    assertNotEquals(a.key(), changed.key(), "another model in the same file is another campaign");
    assertNotEquals(a.results(), changed.results(), "and its chips differ");
  }

  @Test
  void theCampaignKeyFollowsTheSpecFilesContentNotItsPath() throws IOException {
    Path copy = dir.resolve("specs/loihi-copy.json");
    Files.createDirectories(copy.getParent());
    Files.writeString(copy, ChipSpec.loihi().toJson());
    Outcome builtIn = run(campaign(ChipSpec.loihi(), "analog"), "analog");
    Outcome fromFile = run(campaign(ChipSpec.resolve(copy.toString()), "analog"), "analog");
    assertEquals(builtIn.key(), fromFile.key(), "the built-in spec and an equal file are one campaign");
    assertEquals(builtIn.results(), fromFile.results());
    // Another spec's content always changes the key: an image names the hash of its spec, and a
    // campaign's image must match its spec (the nominal chip's load checks it).
  }

  @Test
  void aDecodedContextRunsTheChipsWithoutTheFiles() throws IOException {
    Path file = model("gone/lab.json", 0.2);
    Path spec = dir.resolve("gone/spec.json");
    Files.writeString(spec, ChipSpec.loihi().toJson());
    MismatchCampaign here = campaign(ChipSpec.resolve(spec.toString()), file.toString());
    byte[] context = ChipWork.KIND.encodeContext(here);
    Files.delete(file);
    Files.delete(spec);
    // As a cluster member: decode the context (no file to read) and run the items it is sent.
    MismatchCampaign member = ChipWork.KIND.decodeContext(context);
    List<ChipResult.ChipKey> items = new ArrayList<>();
    List<ChipResult> expected = new ArrayList<>();
    for (ChipRun r : here.runs(Serials.first(3), List.of(file.toString()), true)) {
      items.add(new ChipResult.ChipKey(r.serial(), here.level(r.variability()).id(), r.compensated()));
      expected.add(r.run());
    }
    for (int i = 0; i < items.size(); i++) {
      ChipResult there = ChipWork.KIND.run(member, items.get(i));
      assertEquals(items.get(i).variability(), there.variability(), "a member knows the level by its id");
      assertEquals(expected.get(i).correlation(), there.correlation());
      assertEquals(expected.get(i).rate(), there.rate());
      assertEquals(expected.get(i).outputSpikes(), there.outputSpikes());
    }
    assertTrue(items.get(0).variability().startsWith("model-"), items.get(0).variability());
  }

  @Test
  void aLevelTheCampaignWasNotPreparedWithIsRefusedInOneLine() throws IOException {
    MismatchCampaign campaign = campaign(ChipSpec.loihi(), "analog");
    QuenchException e = assertThrows(QuenchException.class,
        () -> campaign.runs(Serials.first(2), List.of("mild"), false));
    assertEquals("variability level 'mild' is not one this campaign was prepared with (analog, ideal)",
        e.getMessage());
    Path a = model("same/a.json", 0.2);
    Path b = dir.resolve("same/b.json");
    Files.copy(a, b);
    QuenchException twice = assertThrows(QuenchException.class, () -> MismatchCampaign.prepare(image,
        ChipSpec.loihi(), List.of(a.toString(), b.toString()), List.of(sample), null, null, null));
    assertEquals("variability levels " + a + " and " + b + " hold the same model; give it once",
        twice.getMessage());
  }
}
