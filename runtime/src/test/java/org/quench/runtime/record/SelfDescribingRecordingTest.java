package org.quench.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jhdf.HdfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.encode.RateEncoder;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.model.ModelCompilation;
import org.quench.runtime.session.RunSink;
import org.quench.runtime.session.Session;

/**
 * A recording alone says how to read it: dt, model units per population and per neuron, image,
 * device and input. Runs tiny.nir (tau 10 ms, thresholds 1.0, 0.8, 1.2, the third neuron with
 * v_reset = -0.1) on the emulator and reads each format back with an independent reader.
 */
class SelfDescribingRecordingTest {
  private static final double[] THRESHOLDS = {1.0, 0.8, 1.2};
  private static final int STEPS = 300;
  private static ChipImage image;

  @TempDir
  Path dir;

  @BeforeAll
  static void compile() throws Exception {
    Path model = Path.of(SelfDescribingRecordingTest.class.getResource("/nir/tiny.nir").toURI());
    image = ModelCompilation.compile(model, org.quench.hal.ChipSpec.loihi(),
        org.quench.compiler.frontend.nir.NirImportOptions.defaults(),
        org.quench.compiler.CompileOptions.none().with("dt", "1.0E-4")).result().image();
  }

  private static SpikeTrains input() {
    double[][] x = new double[STEPS][4];
    for (double[] row : x) {
      Arrays.fill(row, 0.5);
    }
    return new RateEncoder(0.4, 3).encode(x, "input");
  }

  private static RecordingMetadata run(Recorder recorder, String... probes) {
    try (Session s = Session.open("emu:loihi?serial=7")) {
      s.load(image);
      for (String p : probes) {
        s.probe(Probe.parse(p));
      }
      RecordingMetadata meta = RecordingMetadata.of(s.image(), s.device().info(), "rate 0.5 on input");
      RunSink sink = recorder.describedBy(meta);
      s.run(STEPS, input(), sink);
      return meta;
    }
  }

  @Test
  void hdf5AloneGivesVInModelUnitsAndTimeInMilliseconds() throws Exception {
    Path out = dir.resolve("run.h5");
    run(Recorder.to(out), "v:lif", "v:lif[1:3]");
    byte[] framed = ChipImages.toBytes(image);
    String frameHash = HexFormat.of().formatHex(Arrays.copyOfRange(framed, 16, 48));
    try (HdfFile h5 = new HdfFile(out)) {
      double dt = ((double[]) h5.getDatasetByPath("/meta/dt").getData())[0];
      assertEquals(1e-4, dt);
      double scale = ((double[]) h5.getDatasetByPath("/lif/scale").getData())[0];
      assertEquals(image.getSymbols(0).getModelScale(), scale);
      double[] offset = (double[]) h5.getDatasetByPath("/lif/v_offset").getData();
      assertArrayEquals(new double[] {0, 0, -0.1}, offset);
      assertArrayEquals(new double[] {0, -0.1}, (double[]) h5.getDatasetByPath("/lif[1:3]/v_offset").getData());
      int[][] v = (int[][]) h5.getDatasetByPath("/lif/v").getData();
      for (int i = 0; i < 3; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int[] row : v) {
          max = Math.max(max, row[i] / scale + offset[i]);
        }
        // In model units v climbs close to its neuron's own threshold and stays below it.
        assertTrue(max < THRESHOLDS[i] && max > 0.8 * THRESHOLDS[i], "neuron " + i + " max v " + max);
      }
      assertEquals("emu:loihi?serial=7", h5.getDatasetByPath("/meta/device_uri").getData());
      assertEquals("7", h5.getDatasetByPath("/meta/device_serial").getData());
      assertEquals("rate 0.5 on input", h5.getDatasetByPath("/meta/input").getData());
      assertEquals("tiny.nir", h5.getDatasetByPath("/meta/source_model").getData());
      assertEquals(frameHash, h5.getDatasetByPath("/meta/image_sha256").getData());
    }
  }

  @Test
  void npyAndCsvRecordingsCarryTheSameFieldsInJsonBesideThem() throws Exception {
    Path npy = dir.resolve("rec");
    RecordingMetadata meta = run(Recorder.to(npy), "v:lif[1:]");
    JsonObject json = JsonParser.parseString(Files.readString(npy.resolve("meta.json"))).getAsJsonObject();
    assertEquals(1e-4, json.get("dt").getAsDouble());
    assertEquals(STEPS, json.get("steps").getAsLong());
    assertEquals(meta.imageSha256(), json.get("image_sha256").getAsString());
    JsonObject series = json.getAsJsonObject("series").getAsJsonObject("lif[1:].v");
    assertEquals(-0.1, series.getAsJsonArray("v_offset").get(1).getAsDouble());
    assertEquals(2, series.getAsJsonArray("v_offset").size());
    assertTrue(Files.exists(npy.resolve("lif[1:].v.npy")), "file named as the probe is spelled");

    Path csv = dir.resolve("run.csv");
    run(Recorder.to(csv), "v:lif");
    JsonObject side = JsonParser.parseString(Files.readString(dir.resolve("run.meta.json"))).getAsJsonObject();
    assertEquals("emu:loihi?serial=7", side.get("device_uri").getAsString());
    assertEquals(image.getSymbols(0).getModelScale(),
        side.getAsJsonObject("series").getAsJsonObject("lif.v").get("scale").getAsDouble());
  }

  /** The repository root (where README.md and docs/ are). */
  private static Path repositoryRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("docs/recording.md"))) {
        return p;
      }
    }
    throw new IllegalStateException("no docs/recording.md above " + Path.of("").toAbsolutePath());
  }

  @Test
  void everyDatasetTheDocsPythonReadsIsInARecording() throws Exception {
    String doc = Files.readString(repositoryRoot().resolve("docs/recording.md"));
    java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?s)```python\n(.*?)```").matcher(doc);
    assertTrue(block.find(), "docs/recording.md shows Python");
    String hdf5Snippet = block.group(1);
    Path out = dir.resolve("run.h5");
    run(Recorder.to(out), "v:lif");
    java.util.regex.Matcher path = java.util.regex.Pattern.compile("f\\[\"([^\"]+)\"\\]").matcher(hdf5Snippet);
    int found = 0;
    try (HdfFile h5 = new HdfFile(out)) {
      while (path.find()) {
        assertTrue(h5.getByPath("/" + path.group(1)) != null, path.group(1));
        found++;
      }
    }
    assertTrue(found >= 5, "the snippet reads dt, first_step, v, scale and v_offset: " + found);
    assertTrue(hdf5Snippet.contains("time (ms)") && hdf5Snippet.contains("v (model units)"), hdf5Snippet);
  }
}
