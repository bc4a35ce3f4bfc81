package org.quench.compiler.frontend.nir;

import java.util.Arrays;

/**
 * A parameter array of a NIR node, as the file stores it: values in row-major (C) order and the
 * dataset's shape.
 *
 * <p>Whatever the HDF5 element type (float32, float64, int64, ...), values are held as doubles; a
 * float32 value is widened exactly. A 0-d dataset has shape {@code []} and one value. Units are
 * those of the NIR parameter (seconds for time constants and delays, the model's own units for
 * voltages and weights). Immutable: every accessor that returns an array returns a copy.
 *
 * <p>Invariant: {@code data.length} equals the product of {@code shape} (1 for shape {@code []}),
 * and every dimension is non-negative.
 */
public final class NirTensor {
  private final double[] data;
  private final int[] shape;

  private NirTensor(double[] data, int[] shape) {
    this.data = data;
    this.shape = shape;
  }

  /**
   * A tensor of the given row-major values and shape.
   *
   * @throws IllegalArgumentException if the number of values does not match the shape
   */
  public static NirTensor of(double[] data, int... shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      size *= d;
    }
    if (size != data.length) {
      throw new IllegalArgumentException(
          data.length + " values do not fill shape " + Arrays.toString(shape));
    }
    return new NirTensor(data.clone(), shape.clone());
  }

  /** A 0-d tensor holding one value (shape {@code []}). */
  public static NirTensor scalar(double value) {
    return new NirTensor(new double[] {value}, new int[0]);
  }

  /** The shape, outermost dimension first; {@code []} for a 0-d tensor. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of dimensions (0 for a 0-d tensor). */
  public int rank() {
    return shape.length;
  }

  /** The extent of one dimension. */
  public int dim(int axis) {
    return shape[axis];
  }

  /** The number of values. */
  public int size() {
    return data.length;
  }

  /** True when the tensor holds exactly one value (0-d or every dimension 1). */
  public boolean isSingleValue() {
    return data.length == 1;
  }

  /** The value at a row-major flat index. */
  public double get(int flatIndex) {
    return data[flatIndex];
  }

  /** The value at a multi-dimensional index, one coordinate per dimension. */
  public double at(int... index) {
    if (index.length != shape.length) {
      throw new IllegalArgumentException(
          index.length + " coordinates for a tensor of shape " + Arrays.toString(shape));
    }
    int flat = 0;
    for (int axis = 0; axis < shape.length; axis++) {
      if (index[axis] < 0 || index[axis] >= shape[axis]) {
        throw new IndexOutOfBoundsException(
            "index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
      }
      flat = flat * shape[axis] + index[axis];
    }
    return data[flat];
  }

  /**
   * The value for element {@code i} of a population, broadcasting a single value: NIR lets a
   * neuron parameter be one value for all neurons or one per neuron.
   */
  public double broadcast(int i) {
    return data.length == 1 ? data[0] : data[i];
  }

  /** A copy of the values in row-major order. */
  public double[] toArray() {
    return data.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NirTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    if (data.length <= 8) {
      return "NirTensor" + Arrays.toString(shape) + Arrays.toString(data);
    }
    return "NirTensor" + Arrays.toString(shape) + "[" + data[0] + ", " + data[1] + ", ... "
        + data[data.length - 1] + "]";
  }
}
