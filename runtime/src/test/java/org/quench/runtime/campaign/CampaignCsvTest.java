package org.quench.runtime.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.QuenchException;

class CampaignCsvTest {
  @TempDir
  Path dir;

  private static Map<String, String> facts(String fingerprint) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("fingerprint", fingerprint);
    f.put("source", "m.qimg");
    return f;
  }

  private static ChipResult chip(long serial, String level, double corr) {
    return new ChipResult(serial, level, false, corr, 1.0, Double.NaN, 0.123456789012345, 0.0625,
        Double.NaN, 17);
  }

  @Test
  void rowsReadBackToEqualRecords() {
    List<ChipResult> rows = List.of(chip(1, "analog", 0.1 + 0.2), chip(2, "my,model.json", Double.NaN),
        new ChipResult(3, "mild", true, 1, 0.5, 0.25, 0, Double.POSITIVE_INFINITY, 3.5, 0));
    Path file = dir.resolve("c.csv");
    CampaignCsv.write(file, facts("abc"), rows);
    CampaignCsv.Table t = CampaignCsv.read(file);
    assertEquals(rows, t.results());
    assertEquals("abc", t.fingerprint());
    assertEquals("m.qimg", t.facts().get("source"));
  }

  @Test
  void partsMergeInOrderAndAgreeingDuplicatesCollapse() {
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("b.csv");
    CampaignCsv.write(a, facts("f"), List.of(chip(3, "analog", 0.3), chip(1, "analog", 0.1)));
    CampaignCsv.write(b, facts("f"), List.of(chip(2, "analog", 0.2), chip(3, "analog", 0.3)));
    CampaignCsv.Table t = CampaignCsv.merge(List.of(a, b));
    assertEquals(List.of(1L, 2L, 3L), t.results().stream().map(ChipResult::serial).toList());
  }

  @Test
  void mergingDifferentCampaignsOrConflictingChipsIsRefused() {
    Path a = dir.resolve("a.csv");
    Path b = dir.resolve("b.csv");
    Path c = dir.resolve("c.csv");
    CampaignCsv.write(a, facts("f"), List.of(chip(1, "analog", 0.1)));
    CampaignCsv.write(b, facts("g"), List.of(chip(2, "analog", 0.2)));
    CampaignCsv.write(c, facts("f"), List.of(chip(1, "analog", 0.5)));
    QuenchException e = assertThrows(QuenchException.class, () -> CampaignCsv.merge(List.of(a, b)));
    assertTrue(e.getMessage().contains("different campaigns"), e.getMessage());
    e = assertThrows(QuenchException.class, () -> CampaignCsv.merge(List.of(a, c)));
    assertTrue(e.getMessage().startsWith("chip 1 (analog) has different results"), e.getMessage());
  }

  @Test
  void aForeignFileGetsOneLineNamingTheLine() throws Exception {
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "# fingerprint=f\n" + CampaignCsv.HEADER + "\n1,analog,maybe,1,1,,0,0,,3\n");
    QuenchException e = assertThrows(QuenchException.class, () -> CampaignCsv.read(bad));
    assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("compensated"), e.getMessage());
    Files.writeString(bad, "a,b\n1,2\n");
    e = assertThrows(QuenchException.class, () -> CampaignCsv.read(bad));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }
}
