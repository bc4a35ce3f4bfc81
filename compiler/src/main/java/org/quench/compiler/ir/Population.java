package org.quench.compiler.ir;

import java.util.Arrays;
import org.quench.hal.QuenchException;

/**
 * A named group of neurons with a shape (as in the source model, e.g. C,H,W; the flat neuron
 * index is the row-major index over the shape) and per-neuron dynamics. Invariants: the product of
 * the shape equals the size, and the dynamics describe exactly {@code size} neurons. Immutable.
 */
public final class Population {
  private final String name;
  private final int[] shape;
  private final NeuronDynamics dynamics;

  private Population(String name, int[] shape, NeuronDynamics dynamics) {
    this.name = name;
    this.shape = shape;
    this.dynamics = dynamics;
  }

  /** A population whose shape is just its size. */
  public static Population of(String name, NeuronDynamics dynamics) {
    return of(name, new int[] {dynamics == null ? 0 : dynamics.size()}, dynamics);
  }

  /** A population with an explicit shape (e.g. {C, H, W}). */
  public static Population of(String name, int[] shape, NeuronDynamics dynamics) {
    Checks.name("a population", name);
    if (dynamics == null) {
      throw new QuenchException("population '" + name + "' has no neuron dynamics");
    }
    if (shape == null || shape.length == 0) {
      throw new QuenchException("population '" + name + "' has no shape");
    }
    long product = 1;
    for (int d : shape) {
      if (d <= 0) {
        throw new QuenchException("population '" + name + "' has shape " + Arrays.toString(shape)
            + "; every dimension must be positive");
      }
      product *= d;
    }
    if (product != dynamics.size()) {
      throw new QuenchException("population '" + name + "' has shape " + Arrays.toString(shape)
          + " (" + product + " neurons) but its dynamics describe " + dynamics.size() + " neurons");
    }
    return new Population(name, shape.clone(), dynamics);
  }

  public String name() {
    return name;
  }

  public int size() {
    return dynamics.size();
  }

  public int[] shape() {
    return shape.clone();
  }

  public NeuronDynamics dynamics() {
    return dynamics;
  }

  /** Whether the dynamics are chip-ready fixed point. */
  public boolean isFixed() {
    return dynamics instanceof FixedNeurons;
  }

  /** The fixed-point dynamics, or an error naming the population when it is still float. */
  public FixedNeurons fixed() {
    if (dynamics instanceof FixedNeurons f) {
      return f;
    }
    throw new QuenchException("population '" + name + "' still has float dynamics; run the "
        + "discretize and quantize passes before placing it on a chip");
  }

  /** The same population with other dynamics of the same size. */
  public Population withDynamics(NeuronDynamics other) {
    return of(name, shape, other);
  }

  @Override
  public String toString() {
    return "Population[" + name + ", " + Arrays.toString(shape) + ", "
        + dynamics.getClass().getSimpleName() + "]";
  }
}
