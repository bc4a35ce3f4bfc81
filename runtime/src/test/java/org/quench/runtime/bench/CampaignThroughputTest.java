package org.quench.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;

/** The campaign benchmark's harness on a tiny campaign (figures are not asserted: no timing here). */
class CampaignThroughputTest {
  @Test
  void everyNeuronIsOnTheOutputPort() {
    ChipImage image = SyntheticNetwork.build(new SyntheticNetwork.Shape(500, 10, 0, 3), ChipSpec.loihi()).image();
    ChipImage out = CampaignThroughput.withOutputPort(image);
    assertEquals(1, out.getOutputsCount());
    assertEquals(500, out.getOutputs(0).getWidth());
    int covered = out.getOutputs(0).getSourcesList().stream().mapToInt(r -> r.getCount()).sum();
    assertEquals(500, covered);
  }

  @Test
  void aSmallCampaignReportsEveryChipAndItsFigures() {
    CampaignThroughput.Settings settings = new CampaignThroughput.Settings(
        new SyntheticNetwork.Shape(300, 10, 0, 2), 50, 8, 2, 2, "ideal");
    List<Long> progress = new ArrayList<>();
    CampaignThroughput.Measurement m = CampaignThroughput.run(settings, progress::add);
    assertEquals(8, progress.size());
    assertEquals(8, m.timing().chips(), "warm-up chips are not counted");
    assertTrue(m.seconds() > 0 && m.chipsPerSecond() > 0);
    assertTrue(m.runMillisPerChip() > 0 && m.setupMillisPerChip() > 0);
    assertTrue(m.meanCorrelation() > 0.5, "ideal chips equal nominal: " + m.meanCorrelation());
    JsonObject json = m.toJson();
    assertEquals(8, json.get("chips").getAsInt());
    assertEquals(300, json.get("neurons").getAsInt());
    assertTrue(m.toText().contains("chip runs/s"));
  }

  @Test
  void nonsenseSettingsAreRefused() {
    SyntheticNetwork.Shape shape = new SyntheticNetwork.Shape(300, 10, 0, 2);
    assertThrows(QuenchException.class, () -> new CampaignThroughput.Settings(shape, 0, 8, 2, 2, "ideal"));
    assertThrows(QuenchException.class, () -> new CampaignThroughput.Settings(shape, 10, 0, 2, 2, "ideal"));
    assertThrows(QuenchException.class, () -> new CampaignThroughput.Settings(shape, 10, 8, -1, 2, "ideal"));
    assertThrows(QuenchException.class, () -> new CampaignThroughput.Settings(shape, 10, 8, 2, 0, "ideal"));
  }
}
