package org.quench.runtime.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;

class CampaignStatisticsTest {
  @Test
  void percentilesInterpolateBetweenRanksAsNumpyDoes() {
    double[] values = {4, 1, 3, 2, 5, Double.NaN};
    MetricDistribution d = MetricDistribution.of(CampaignMetric.CORRELATION, values, 2.5);
    assertEquals(6, d.chips());
    assertEquals(1, d.undefined());
    assertEquals(3.0, d.mean(), 1e-12);
    assertEquals(Math.sqrt(2.5), d.sd(), 1e-12);
    assertEquals(1.0, d.min());
    assertEquals(1.2, d.p5(), 1e-12); // numpy.percentile([1,2,3,4,5], 5) = 1.2
    assertEquals(3.0, d.median(), 1e-12);
    assertEquals(4.8, d.p95(), 1e-12);
    assertEquals(5.0, d.max());
    // 3, 4, 5 pass ">= 2.5"; the undefined chip counts as failing.
    assertEquals(3.0 / 6, d.yield(), 1e-12);
  }

  @Test
  void lowerIsBetterMetricsPassBelowTheThresholdAndSortWorstFirst() {
    MetricDistribution d = MetricDistribution.of(CampaignMetric.RATE_ERROR, new double[] {0.05, 0.2, 0.1}, 0.1);
    assertEquals(2.0 / 3, d.yield(), 1e-12);
    assertTrue(CampaignMetric.RATE_ERROR.compareWorstFirst(0.2, 0.05) < 0);
    assertTrue(CampaignMetric.CORRELATION.compareWorstFirst(0.2, 0.9) < 0);
    assertTrue(CampaignMetric.CORRELATION.compareWorstFirst(Double.NaN, 0.0) < 0);
  }

  @Test
  void countCorrelationIsOneForEqualCountsAndPearsonOtherwise() {
    int[][] nominal = {{0, 0, 0}};
    assertEquals(1.0, MismatchCampaign.countCorrelation(new int[][] {{0, 0, 0}}, nominal));
    assertEquals(0.0, MismatchCampaign.countCorrelation(new int[][] {{1, 0, 0}}, nominal));
    double r = MismatchCampaign.countCorrelation(new int[][] {{1, 2}, {3, 5}}, new int[][] {{1, 2}, {3, 4}});
    // Pearson of (1,2,3,5) and (1,2,3,4).
    assertEquals(0.9827076298239908, r, 1e-12);
    assertEquals(-1.0, MismatchCampaign.countCorrelation(new int[][] {{3, 2, 1}}, new int[][] {{1, 2, 3}}), 1e-12);
  }

  @Test
  void nrmseScalesByTheNominalSpread() {
    assertEquals(0.0, MismatchCampaign.nrmse(new int[] {1, 2, 3}, new int[] {1, 2, 3}));
    // Error (1, 1, 1): RMS 1; nominal (1, 2, 3) has population sd sqrt(2/3).
    assertEquals(1 / Math.sqrt(2.0 / 3), MismatchCampaign.nrmse(new int[] {2, 3, 4}, new int[] {1, 2, 3}), 1e-12);
  }

  @Test
  void serialListsParseRangesAndRefuseNonsense() {
    assertEquals(List.of(1L, 2L, 3L, 7L, 10L, 11L), Serials.parse("1-3,7,10-11,2"));
    assertEquals(List.of(1L, 2L), Serials.first(2));
    assertThrows(QuenchException.class, () -> Serials.parse("0-3"));
    assertThrows(QuenchException.class, () -> Serials.parse("5-3"));
    assertThrows(QuenchException.class, () -> Serials.parse("a"));
    assertThrows(QuenchException.class, () -> Serials.parse("1,,2"));
    assertThrows(QuenchException.class, () -> Serials.first(0));
  }

  @Test
  void reportListsWorstChipsPerGroupWithTheirCommands() {
    ChipResult nominal = new ChipResult(0, "ideal", false, 1, 1, Double.NaN, 0.1, 0, Double.NaN, 100);
    List<ChipResult> results = List.of(
        new ChipResult(2, "analog", false, 0.5, 1, Double.NaN, 0.1, 0.1, Double.NaN, 90),
        new ChipResult(1, "analog", false, 0.8, 1, Double.NaN, 0.1, 0.1, Double.NaN, 95),
        new ChipResult(3, "analog", false, 0.95, 1, Double.NaN, 0.1, 0.1, Double.NaN, 99),
        new ChipResult(1, "analog", true, 0.99, 1, Double.NaN, 0.1, 0.0, Double.NaN, 100));
    CampaignReport report = new CampaignReport(results, List.of(CampaignMetric.CORRELATION), 0.9, 2,
        nominal, key -> "repro " + key.serial() + (key.compensated() ? " c" : ""), Map.of());
    assertEquals(2, report.groups().size());
    CampaignReport.Group analog = report.groups().get(0);
    assertEquals(List.of(2L, 1L), analog.worst().stream().map(ChipResult::serial).toList());
    assertEquals(1.0 / 3, analog.headline().yield(), 1e-12);
    assertTrue(report.groups().get(1).compensated());
    String text = report.toText();
    assertTrue(text.contains("repro 2"), text);
    assertTrue(text.contains("analog + compensation (1 chips)"), text);
    assertEquals("repro 2", report.toJson().getAsJsonArray("groups").get(0).getAsJsonObject()
        .getAsJsonArray("worst").get(0).getAsJsonObject().get("reproduce").getAsString());
  }
}
