package org.quench.compiler.ir;

import org.quench.hal.QuenchException;

/** Build-time checks shared by the IR builders; every message names the owner and the parameter. */
final class Checks {
  private Checks() {}

  static double[] perNeuron(String owner, String param, double[] values, int size) {
    if (values == null) {
      throw new QuenchException(owner + ": parameter '" + param + "' is missing");
    }
    if (values.length != size) {
      throw new QuenchException(owner + ": parameter '" + param + "' has " + values.length
          + " values for " + size + " neurons; give one per neuron");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new QuenchException(owner + ": parameter '" + param + "' of neuron " + i + " is "
            + values[i] + "; every value must be a finite number");
      }
    }
    return values.clone();
  }

  /** As {@link #perNeuron(String, String, double[], int)} but +infinity is allowed (NaN, -inf not). */
  static double[] perNeuronOrInfinite(String owner, String param, double[] values, int size) {
    double[] copy = values == null ? null : values.clone();
    if (copy != null) {
      for (int i = 0; i < copy.length; i++) {
        if (copy[i] == Double.POSITIVE_INFINITY) {
          copy[i] = 0; // checked as finite below, restored after
        }
      }
    }
    perNeuron(owner, param, copy, size);
    return values.clone();
  }

  static void nonNegative(String owner, String param, double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] >= 0)) {
        throw new QuenchException(owner + ": parameter '" + param + "' of neuron " + i + " is "
            + values[i] + "; a time constant must be positive, or 0 for none");
      }
    }
  }

  static int[] perNeuron(String owner, String param, int[] values, int size) {
    if (values == null) {
      throw new QuenchException(owner + ": parameter '" + param + "' is missing");
    }
    if (values.length != size) {
      throw new QuenchException(owner + ": parameter '" + param + "' has " + values.length
          + " values for " + size + " neurons; give one per neuron");
    }
    return values.clone();
  }

  static <T> T[] perNeuron(String owner, String param, T[] values, int size) {
    if (values == null) {
      throw new QuenchException(owner + ": parameter '" + param + "' is missing");
    }
    if (values.length != size) {
      throw new QuenchException(owner + ": parameter '" + param + "' has " + values.length
          + " values for " + size + " neurons; give one per neuron");
    }
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        throw new QuenchException(owner + ": parameter '" + param + "' of neuron " + i + " is missing");
      }
    }
    return values.clone();
  }

  static void positive(String owner, String param, double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] <= 0) {
        throw new QuenchException(owner + ": parameter '" + param + "' of neuron " + i + " is "
            + values[i] + "; a time constant must be positive");
      }
    }
  }

  static void atLeast(String owner, String param, int[] values, int min) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] < min) {
        throw new QuenchException(owner + ": parameter '" + param + "' of neuron " + i + " is "
            + values[i] + "; it must be at least " + min);
      }
    }
  }

  static double[] filled(int size, double value) {
    double[] a = new double[size];
    java.util.Arrays.fill(a, value);
    return a;
  }

  static int[] filled(int size, int value) {
    int[] a = new int[size];
    java.util.Arrays.fill(a, value);
    return a;
  }

  static void name(String what, String name) {
    if (name == null || name.isBlank()) {
      throw new QuenchException(what + " needs a non-empty name");
    }
  }
}
