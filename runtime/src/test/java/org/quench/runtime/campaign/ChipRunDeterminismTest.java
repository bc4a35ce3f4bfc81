package org.quench.runtime.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.InputFiles;
import org.quench.runtime.work.ThreadWorkRunner;

class ChipRunDeterminismTest {
  @TempDir
  Path dir;

  private MismatchCampaign braille() {
    ChipImage image = CampaignFixture.brailleImage(dir);
    Stimulus sample = InputFiles.read(CampaignFixture.brailleInput(dir), image).chunk(0, 200);
    return MismatchCampaign.prepare(image, ChipSpec.loihi(), List.of("ideal"), List.of(sample),
        new int[] {3}, null, null);
  }

  @Test
  void sameResultsOnOneAndTwoThreadsAndOnASecondRun() {
    MismatchCampaign campaign = braille();
    List<ChipRun> runs = campaign.runs(Serials.parse("1-8"), List.of("ideal", "ideal"), false);
    List<ChipResult> one;
    List<ChipResult> two;
    List<ChipResult> again;
    try (ThreadWorkRunner r = new ThreadWorkRunner(1)) {
      one = campaign.run(r, runs, done -> { });
    }
    try (ThreadWorkRunner r = new ThreadWorkRunner(2)) {
      two = campaign.run(r, runs, done -> { });
      again = campaign.run(r, runs, done -> { });
    }
    assertEquals(16, one.size());
    assertEquals(one, two);
    assertEquals(one, again);
    for (int i = 0; i < runs.size(); i++) {
      ChipRun asked = runs.get(i);
      ChipResult got = one.get(i);
      assertEquals(List.of(asked.serial(), asked.variability(), asked.compensated()),
          List.of(got.serial(), got.variability(), got.compensated()), "results come back in item order");
    }
  }

  @Test
  void aChipRunAloneEqualsItsRunInsideTheCampaign() {
    MismatchCampaign campaign = braille();
    List<ChipRun> runs = campaign.runs(Serials.parse("1-4"), List.of("ideal"), false);
    List<ChipResult> all;
    try (ThreadWorkRunner r = new ThreadWorkRunner(2)) {
      all = campaign.run(r, runs, done -> { });
    }
    // A separately prepared campaign (as another process would) gives the same record for chip 3.
    MismatchCampaign other = braille();
    assertEquals(campaign.fingerprint(), other.fingerprint());
    assertEquals(all.get(2), new ChipRun(other, 3, "ideal", false).run());
  }

  @Test
  void theIdealChipMatchesNominalExactly() {
    MismatchCampaign campaign = braille();
    ChipResult ideal = new ChipRun(campaign, 5, MismatchCampaign.IDEAL, false).run();
    ChipResult nominal = campaign.nominal();
    assertEquals(1.0, ideal.correlation());
    assertEquals(1.0, ideal.agreement());
    assertEquals(0.0, ideal.rateError());
    assertEquals(nominal.outputSpikes(), ideal.outputSpikes());
    assertTrue(nominal.outputSpikes() > 0, "the braille sample makes the output spike");
  }

  @Test
  void progressCountsEveryItemOnce() {
    MismatchCampaign campaign = braille();
    List<ChipRun> runs = campaign.runs(Serials.parse("1-5"), List.of("ideal"), false);
    List<Long> seen = new ArrayList<>();
    try (ThreadWorkRunner r = new ThreadWorkRunner(2)) {
      campaign.run(r, runs, seen::add);
    }
    assertEquals(5, seen.size());
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen.stream().sorted().toList());
  }
}
