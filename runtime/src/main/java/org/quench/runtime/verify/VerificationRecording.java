package org.quench.runtime.verify;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.runtime.record.RecordingMetadata;

/**
 * Both sides of a verification in one HDF5 file, laid out as a device recording
 * (docs/recording.md): {@code /device/<population>/spikes} and {@code v} (int32, chip units, with
 * {@code scale} and {@code v_offset} beside them), {@code /reference/<population>/spikes} (int32)
 * and {@code v} (float64, already in model units), and {@code /meta} with dt, image, device and
 * input. Rows are steps.
 */
public final class VerificationRecording {
  private VerificationRecording() {}

  /** Writes {@code run} to {@code file} (.h5 or .hdf5). */
  public static void write(VerificationRun run, RecordingMetadata meta, Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!name.endsWith(".h5") && !name.endsWith(".hdf5")) {
      throw new QuenchException("--record " + file + ": verify records both sides to one HDF5 file;"
          + " name it FILE.h5");
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (java.io.IOException e) {
      throw new QuenchException("cannot create the directory of " + file + ": " + e.getMessage(), e);
    }
    int steps = run.report().steps();
    try (WritableHdfFile h5 = HdfFile.write(file)) {
      WritableGroup device = h5.putGroup("device");
      WritableGroup reference = h5.putGroup("reference");
      for (String pop : run.compared()) {
        WritableGroup d = device.putGroup(pop.replace('/', '_'));
        WritableGroup r = reference.putGroup(pop.replace('/', '_'));
        d.putDataset("spikes", matrix(run.device().trace(Probe.of(ProbeKind.SPIKES, pop)), steps));
        r.putDataset("spikes", run.reference().spikes(pop));
        if (run.traced().contains(pop)) {
          d.putDataset("v", matrix(run.device().trace(Probe.of(ProbeKind.V, pop)), steps));
          RecordingMetadata.ModelUnits units = meta.units().get(pop);
          if (units != null) {
            d.putDataset("scale", new double[] {units.scale()});
            d.putDataset("v_offset", units.vOffset());
          }
          int n = run.reference().size(pop);
          double[] v = run.reference().v(pop);
          double[][] rows = new double[steps][n];
          for (int k = 0; k < steps; k++) {
            System.arraycopy(v, k * n, rows[k], 0, n);
          }
          r.putDataset("v", rows);
        }
      }
      WritableGroup m = h5.putGroup("meta");
      m.putDataset("first_step", new long[] {0});
      m.putDataset("steps", new long[] {steps});
      meta.writeTo(m);
    }
  }

  private static int[][] matrix(RunResult.Trace t, int steps) {
    int n = t.width();
    int[][] m = new int[steps][n];
    for (int k = 0; k < steps; k++) {
      System.arraycopy(t.values(), k * n, m[k], 0, n);
    }
    return m;
  }
}
