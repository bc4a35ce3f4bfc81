package org.quench.compiler.frontend.nir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NirTensorTest {

  @Test
  void multiDimensionalIndexIsRowMajor() {
    NirTensor t = NirTensor.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
    assertEquals(5.0, t.at(1, 2));
    assertEquals(3.0, t.at(1, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> t.at(2, 0));
    assertThrows(IllegalArgumentException.class, () -> t.at(1));
  }

  @Test
  void singleValueBroadcastsToEveryNeuron() {
    NirTensor one = NirTensor.scalar(0.5);
    assertEquals(0, one.rank());
    assertEquals(0.5, one.broadcast(37));
    NirTensor per = NirTensor.of(new double[] {1, 2}, 2);
    assertEquals(2.0, per.broadcast(1));
  }

  @Test
  void valuesMustFillTheShape() {
    assertThrows(IllegalArgumentException.class, () -> NirTensor.of(new double[3], 2, 2));
    assertThrows(IllegalArgumentException.class, () -> NirTensor.of(new double[0], -1));
    assertEquals(0, NirTensor.of(new double[0], 0).size());
  }

  @Test
  void isImmutable() {
    double[] data = {1, 2};
    int[] shape = {2};
    NirTensor t = NirTensor.of(data, shape);
    data[0] = 9;
    shape[0] = 1;
    t.toArray()[1] = 9;
    t.shape()[0] = 7;
    assertArrayEquals(new double[] {1, 2}, t.toArray());
    assertArrayEquals(new int[] {2}, t.shape());
  }

  @Test
  void equalityIsByShapeAndValues() {
    assertEquals(NirTensor.of(new double[] {1}, 1), NirTensor.of(new double[] {1}, 1));
    assertNotEquals(NirTensor.of(new double[] {1}, 1), NirTensor.scalar(1));
    assertEquals(NirTensor.scalar(2).hashCode(), NirTensor.scalar(2).hashCode());
  }
}
