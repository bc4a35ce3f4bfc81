package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.DeviceProfile;
import org.quench.hal.proto.ChipImage;

/** calibrate, compile --profile, run and verify on an imperfect chip, and their errors. */
class VariabilityCommandsTest {
  private static final String CHIP3 = "emu:loihi?serial=3&variability=analog";

  @TempDir
  Path dir;

  private static Path braille() throws URISyntaxException {
    return Path.of(VariabilityCommandsTest.class.getResource("/nir/braille_noDelay_bias_zero.nir").toURI());
  }

  @Test
  void calibrateThenCompensateBringsChip3BackToNominal() throws Exception {
    Path profile = dir.resolve("chip3.qprof");
    InProcessRun cal = InProcessRun.of("calibrate", "--device", CHIP3, "-o", profile.toString(),
        "--cores", "0", "--neurons", "64");
    assertEquals(0, cal.code(), cal.err());
    assertTrue(cal.out().contains("check against the profile the device reports"), cal.out());
    DeviceProfile measured = DeviceProfile.read(profile);
    assertEquals("3", measured.serial());
    assertTrue(measured.isMeasured());

    Path image = dir.resolve("b.qimg");
    InProcessRun comp = InProcessRun.of("compile", braille().toString(), "-o", image.toString(),
        "--discretize", "euler", "--profile", profile.toString(), "--report", dir.resolve("r.json").toString());
    assertEquals(0, comp.code(), comp.err());
    assertTrue(comp.out().contains("compensation for chip 3 (measured)"), comp.out());
    ChipImage img = ChipImages.read(image);
    assertEquals("chip 3 (measured)", img.getHeader().getOptionsMap().get("compensatedFor"));
    assertTrue(Files.readString(dir.resolve("r.json")).contains("\"compensation\""));

    InProcessRun plain = InProcessRun.of("verify", braille().toString(), "--discretize", "euler",
        "--device", CHIP3, "--steps", "150");
    InProcessRun fixed = InProcessRun.of("verify", braille().toString(), "--discretize", "euler",
        "--device", CHIP3, "--steps", "150", "--profile", profile.toString());
    assertEquals(0, plain.code(), plain.err());
    assertEquals(0, fixed.code(), fixed.err());
    assertTrue(plain.out().contains("Against the nominal chip"), plain.out());
    double before = nominalAgreement(plain.out(), "lif1.lif");
    double after = nominalAgreement(fixed.out(), "lif1.lif");
    assertTrue(after > before, "compensation should bring chip 3 closer to nominal: " + before + " -> " + after
        + "\n" + plain.out() + fixed.out());
  }

  /** The count correlation of a population in the "Against the nominal chip" table. */
  private static double nominalAgreement(String out, String population) {
    String section = out.substring(out.indexOf("Against the nominal chip"));
    for (String line : section.split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length > 6 && w[0].equals(population)) {
        return Double.parseDouble(w[5]);
      }
    }
    throw new AssertionError("no row for " + population + " in " + section);
  }

  @Test
  void runOnAnImperfectChipReportsItsProfileAndBadFilesAreOneLine() throws Exception {
    Path image = dir.resolve("b.qimg");
    assertEquals(0, InProcessRun.of("compile", braille().toString(), "-o", image.toString()).code());
    InProcessRun run = InProcessRun.of("run", image.toString(), "--device", CHIP3, "--steps", "50");
    assertEquals(0, run.code(), run.err());

    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"threshold\":{\"neuron\":\"lots\"}}");
    InProcessRun o = InProcessRun.of("run", image.toString(), "--device", "emu:loihi?serial=3&variability=" + bad,
        "--steps", "5");
    assertEquals(1, o.code());
    assertEquals(1, o.errLines(), o.err());
    assertTrue(o.err().contains("threshold.neuron") || o.err().contains("lots"), o.err());
    assertFalse(o.err().contains("\tat "), o.err());

    Path badProfile = dir.resolve("bad.qprof");
    Files.writeString(badProfile, "{\"formatVersion\":1,\"serial\":\"3\",\"measured\":{\"cores\":[{\"neuronCount\":2,"
        + "\"bias\":[1.0, -3]}]}}");
    o = InProcessRun.of("compile", braille().toString(), "-o", image.toString(), "--profile",
        badProfile.toString());
    assertEquals(1, o.code());
    assertEquals(1, o.errLines(), o.err());
    assertTrue(o.err().contains("bias[1] = -3.0"), o.err());
  }

  @Test
  void serveVariabilityGivesEveryChipItsOwnImperfectSerial() {
    ServeCommand serve = new ServeCommand();
    new picocli.CommandLine(serve).parseArgs("--chips", "2", "--variability", "analog");
    assertEquals(java.util.List.of("emu:loihi?variability=analog&serial=1",
        "emu:loihi?variability=analog&serial=2"), serve.deviceUris());
  }
}
