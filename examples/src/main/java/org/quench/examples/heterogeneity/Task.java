package org.quench.examples.heterogeneity;

/**
 * One temporal task: a drive the reservoir is fed with and a target sequence the readout must
 * produce from the reservoir's state, sample by sample.
 *
 * @param id unique, stable name, e.g. {@code narma/n=10} or {@code lorenz-xyz/z/h=5}
 * @param drive the input stream
 * @param family the kind of task (recall, narma, nonlinear-memory, prediction, ...), for tables
 * @param target computes the target at every sample of a drive series (NaN where undefined)
 */
record Task(String id, Drive drive, String family, Target target) {
  /** The target of a task as a function of the drive's series. */
  @FunctionalInterface
  interface Target {
    /** {@code y[t]}, aligned with the reservoir state after sample {@code t}; NaN if undefined. */
    double[] values(DriveSeries series);
  }

  @Override
  public String toString() {
    return id;
  }
}
