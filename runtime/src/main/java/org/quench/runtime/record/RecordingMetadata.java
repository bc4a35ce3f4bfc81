package org.quench.runtime.record;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.jhdf.api.WritableGroup;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quench.hal.ChipImages;
import org.quench.hal.DeviceInfo;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Symbol;
import org.quench.runtime.session.ModelTime;

/**
 * What a recording needs to explain itself without the compile report: the seconds per step, how
 * to turn each population's u and v into model units, which image ran on which device, and where
 * the input came from. Written once per recording (docs/recording.md).
 *
 * @param dtSeconds model seconds per chip step (the image's compile option {@code dt}); NaN when
 *     the image does not say
 * @param imageSha256 SHA-256 (lower-case hex) of the image's deterministic protobuf payload: the
 *     same value the binary {@code .qimg} frame carries
 * @param sourceModel the model file the image was compiled from
 * @param deviceUri the URI the device was opened with, any token redacted
 * @param deviceSerial the chip instance's serial ("" when the device has none)
 * @param input where the input came from (the {@code --input} text, "none" without one)
 * @param units per population: its scale and per-neuron voltage offset
 */
public record RecordingMetadata(double dtSeconds, String imageSha256, String sourceModel,
    String deviceUri, String deviceSerial, String input, Map<String, ModelUnits> units) {

  /**
   * How one population's chip values read in model units: {@code v_model = v / scale + vOffset[i]};
   * {@code u / scale} is the model-unit voltage u adds to v per step.
   *
   * @param scale chip units per model unit (1 for a model that was already in chip integers)
   * @param vOffset per neuron, model units
   */
  public record ModelUnits(double scale, double[] vOffset) {
    /** The neurons {@code [first, first + count)} only. */
    ModelUnits slice(int first, int count) {
      return new ModelUnits(scale, Arrays.copyOfRange(vOffset, first, first + count));
    }
  }

  public RecordingMetadata {
    units = Map.copyOf(units);
  }

  /** The metadata of a run of {@code image} on {@code device} with the described input. */
  public static RecordingMetadata of(ChipImage image, DeviceInfo device, String input) {
    double dt = ModelTime.dtSeconds(image);
    Map<String, ModelUnits> units = new LinkedHashMap<>();
    for (Symbol s : image.getSymbolsList()) {
      double[] offset = new double[s.getSize()];
      if (s.getVOffsetCount() == 1) {
        Arrays.fill(offset, s.getVOffset(0));
      } else if (s.getVOffsetCount() == s.getSize()) {
        for (int i = 0; i < offset.length; i++) {
          offset[i] = s.getVOffset(i);
        }
      }
      units.put(s.getPopulation(), new ModelUnits(s.getModelScale() > 0 ? s.getModelScale() : 1, offset));
    }
    byte[] framed = ChipImages.toBytes(image);
    String hash = ChipImages.sha256(Arrays.copyOfRange(framed, ChipImages.HEADER_BYTES, framed.length));
    return new RecordingMetadata(dt, hash, image.getHeader().getSourceModel(),
        device == null ? "" : org.quench.hal.Devices.redacted(device.uri()), device == null || device.serial() == null ? "" : device.serial(),
        input == null ? "none" : input, units);
  }

  /** Units of a whole population, or of a probed range of it; null for an unknown population. */
  ModelUnits unitsOf(String population, int first, int count) {
    ModelUnits u = units.get(population);
    if (u == null) {
      return null;
    }
    int end = count < 0 ? u.vOffset().length : Math.min(u.vOffset().length, first + count);
    return u.slice(Math.min(first, end), end - Math.min(first, end));
  }

  /** The {@code /meta} datasets of an HDF5 recording (besides first_step and steps). */
  public void writeTo(WritableGroup meta) {
    meta.putDataset("dt", new double[] {dtSeconds});
    provenance().forEach(meta::putDataset);
  }

  /** The provenance strings by their {@code /meta} dataset name ("-" for an empty one). */
  Map<String, String> provenance() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("image_sha256", imageSha256);
    p.put("source_model", sourceModel.isEmpty() ? "-" : sourceModel);
    p.put("device_uri", deviceUri.isEmpty() ? "-" : deviceUri);
    p.put("device_serial", deviceSerial.isEmpty() ? "-" : deviceSerial);
    p.put("input", input.isEmpty() ? "-" : input);
    return p;
  }

  /** The sidecar JSON of .npy and .csv recordings, with {@code series} naming the columns. */
  String toJson(long firstStep, long steps, Map<String, int[]> seriesRanges) {
    JsonObject o = new JsonObject();
    if (Double.isNaN(dtSeconds)) {
      o.add("dt", com.google.gson.JsonNull.INSTANCE);
    } else {
      o.addProperty("dt", dtSeconds);
    }
    o.addProperty("first_step", firstStep);
    o.addProperty("steps", steps);
    o.addProperty("image_sha256", imageSha256);
    o.addProperty("source_model", sourceModel);
    o.addProperty("device_uri", deviceUri);
    o.addProperty("device_serial", deviceSerial);
    o.addProperty("input", input);
    JsonObject series = new JsonObject();
    for (Map.Entry<String, int[]> e : seriesRanges.entrySet()) {
      String name = e.getKey();
      int dot = name.lastIndexOf('.');
      String population = dot > 0 ? name.substring(0, dot) : name;
      int bracket = population.indexOf('[');
      ModelUnits u = unitsOf(bracket > 0 ? population.substring(0, bracket) : population,
          e.getValue()[0], e.getValue()[1]);
      if (u == null) {
        continue;
      }
      JsonObject s = new JsonObject();
      s.addProperty("scale", u.scale());
      JsonArray offsets = new JsonArray();
      for (double v : u.vOffset()) {
        offsets.add(v);
      }
      s.add("v_offset", offsets);
      series.add(name, s);
    }
    o.add("series", series);
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o) + "\n";
  }
}
