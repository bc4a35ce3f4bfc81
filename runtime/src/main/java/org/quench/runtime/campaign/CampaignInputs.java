package org.quench.runtime.campaign;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.InputPort;
import org.quench.runtime.io.NpyArray;

/** Inputs and labels of a campaign when the user gives none or gives them in short form. */
public final class CampaignInputs {
  private CampaignInputs() {}

  /**
   * {@code samples} seeded random spike trains on every input port of {@code image}: each channel
   * spikes with probability {@code rate} per step. Sample {@code k} uses seed {@code seed + k}.
   */
  public static List<Stimulus> poisson(ChipImage image, int steps, double rate, long seed, int samples) {
    if (image.getInputsCount() == 0) {
      throw new QuenchException("the image has no input port for random spikes; give --input"
          + " bias:POPULATION=FILE to drive it through a bias");
    }
    if (samples < 1) {
      throw new QuenchException("--random-samples " + samples + " must be at least 1");
    }
    List<Stimulus> list = new ArrayList<>();
    for (int k = 0; k < samples; k++) {
      SplittableRandom random = new SplittableRandom(seed + k);
      Stimulus.Builder b = Stimulus.builder(steps);
      for (int t = 0; t < steps; t++) {
        for (InputPort p : image.getInputsList()) {
          for (int i = 0; i < p.getWidth(); i++) {
            if (random.nextDouble() < rate) {
              b.spike(t, p.getName(), i);
            }
          }
        }
      }
      list.add(b.build());
    }
    return list;
  }

  /**
   * Labels from {@code text}: a comma-separated list of classes ({@code 3} or {@code 3,1,4}), or a
   * {@code .npy} file of integers (one per sample).
   */
  public static int[] labels(String text) {
    if (text.toLowerCase(Locale.ROOT).endsWith(".npy")) {
      Path file = Path.of(text);
      if (!Files.exists(file)) {
        throw new QuenchException("--labels file " + file + " does not exist");
      }
      NpyArray a = NpyArray.read(file);
      if (a.shape().length != 1) {
        throw new QuenchException("--labels " + file + " must be a 1-D array of classes (one per"
            + " sample); its shape has " + a.shape().length + " dimensions");
      }
      return a.toInts();
    }
    String[] parts = text.split(",", -1);
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new QuenchException("--labels '" + text + "': '" + parts[i] + "' is not a class index;"
            + " give integers (e.g. 3,1,4) or a .npy file");
      }
      if (out[i] < 0) {
        throw new QuenchException("--labels '" + text + "': class " + out[i] + " is negative");
      }
    }
    return out;
  }
}
