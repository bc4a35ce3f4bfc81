package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.compiler.CompileReport;

/**
 * The unit of work the study schedules: one reservoir (configuration and seed) driven by one drive,
 * read out for several tasks of that drive. {@link #run()} is pure: the drive series, the network
 * and the readouts depend only on the fields. Each task's readout is fitted on its own, so the
 * result for a task does not depend on which other tasks share the item.
 *
 * @param drive the drive every task reads
 * @param config the reservoir and its training
 * @param seed seeds the drive, the network and the time constants (separate streams)
 * @param tasks tasks on {@code drive}
 */
record WorkItem(Drive drive, ReservoirConfig config, long seed, List<Task> tasks) {
  WorkItem {
    tasks = List.copyOf(tasks);
    for (Task t : tasks) {
      if (t.drive() != drive) {
        throw new IllegalArgumentException("task " + t.id() + " reads " + t.drive().id()
            + ", not " + drive.id());
      }
    }
  }

  /** The rows this item computes. */
  List<StudyRow> rows() {
    List<StudyRow> rows = new ArrayList<>();
    for (Task t : tasks) {
      rows.add(new StudyRow(t, config, seed));
    }
    return rows;
  }

  /** Results by task id, in task order. */
  Map<String, RowResult> run() {
    DriveSeries series = drive.generate(seed, config.samples());
    double[][] features;
    double activity;
    double[] tau;
    int requested = -1;
    int realised = -1;
    double tauError = Double.NaN;
    if (config.model() == ReservoirConfig.Model.RATE) {
      features = RateReservoir.states(config, seed, series.input());
      tau = RateReservoir.taus(config, seed);
      double sum = 0;
      for (double[] row : features) {
        for (double v : row) {
          sum += Math.abs(v);
        }
      }
      activity = sum / features.length / features[0].length;
    } else {
      SpikingReservoir.Run run = SpikingReservoir.run(config, seed, series.input());
      features = run.features();
      activity = run.spikesPerNeuronStep();
      tau = SpikingReservoir.tauMemSteps(config, seed);
      for (int i = 0; i < tau.length; i++) {
        tau[i] /= config.stepsPerSample();
      }
      CompileReport.PopulationQuality q = run.quality();
      if (q != null) {
        requested = q.distinctDecaysRequested();
        realised = q.distinctDecaysRealized();
        tauError = q.tauMem().p95();
      }
    }
    List<double[]> targets = new ArrayList<>();
    for (Task t : tasks) {
      targets.add(t.target().values(series));
    }
    int trainStart = config.washout();
    int testStart = trainStart + config.train();
    List<Readout.Fit> fits = Readout.fit(features, targets, trainStart, testStart, testStart,
        testStart + config.test());
    double mean = 0;
    for (double v : tau) {
      mean += v / tau.length;
    }
    double var = 0;
    for (double v : tau) {
      var += (v - mean) * (v - mean) / tau.length;
    }
    double cv = Math.sqrt(var) / mean;
    Map<String, RowResult> out = new LinkedHashMap<>();
    for (int k = 0; k < tasks.size(); k++) {
      Readout.Fit f = fits.get(k);
      out.put(tasks.get(k).id(), new RowResult(f.nrmse(), f.trainNrmse(), f.lambda(), activity,
          mean, cv, requested, realised, tauError));
    }
    return out;
  }
}
