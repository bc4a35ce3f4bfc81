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
  /** Placement order (a permutation of 0..size-1), or null for index order. */
  private final int[] order;

  private Population(String name, int[] shape, NeuronDynamics dynamics, int[] order) {
    this.name = name;
    this.shape = shape;
    this.dynamics = dynamics;
    this.order = order;
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
    return new Population(name, shape.clone(), dynamics, null);
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

  /** The same population (placement order kept) with other dynamics of the same size. */
  public Population withDynamics(NeuronDynamics other) {
    Population p = of(name, shape, other);
    return order == null ? p : p.withPlacementOrder(order);
  }

  /**
   * The same population with a placement order: partitioners place neuron {@code order[0]} first,
   * then {@code order[1]}, ..., so neurons with similar profiles can share cores. Neuron indices
   * (what users probe and the symbol table maps) do not change.
   *
   * @throws QuenchException unless {@code order} is a permutation of {@code 0..size-1}
   */
  public Population withPlacementOrder(int[] order) {
    int n = size();
    if (order.length != n) {
      throw new QuenchException("population '" + name + "': placement order has " + order.length
          + " entries for " + n + " neurons");
    }
    boolean[] seen = new boolean[n];
    for (int i : order) {
      if (i < 0 || i >= n || seen[i]) {
        throw new QuenchException("population '" + name + "': placement order is not a permutation"
            + " (index " + i + ")");
      }
      seen[i] = true;
    }
    return new Population(name, shape, dynamics, order.clone());
  }

  /** The neuron placed at position {@code position} of the placement order. */
  public int neuronAt(int position) {
    return order == null ? position : order[position];
  }

  /** Whether the placement order is not simply index order. */
  public boolean hasPlacementOrder() {
    return order != null;
  }

  @Override
  public String toString() {
    return "Population[" + name + ", " + Arrays.toString(shape) + ", "
        + dynamics.getClass().getSimpleName() + "]";
  }
}
