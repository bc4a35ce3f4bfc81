package org.quench.compiler.ir;

import java.util.Arrays;
import org.quench.hal.QuenchException;

/**
 * Synapses from a source (a population or a host input port) to a target population, stored CSR by
 * source index: synapses {@code rowStart(s) .. rowStart(s+1)-1} leave source {@code s}, each with a
 * target index, a weight and a delay in steps (0 = Lava's one-step Dense lag only).
 *
 * <p>Weights are either float (to be quantized by a later pass) or fixed point: integers as handed
 * to Lava's connection process (before the chip's clip and truncation) with a {@link WeightFormat}.
 * {@code numMessageBits > 0} means the source sends graded payloads. Invariants: indices in range,
 * delays non-negative, float weights finite. Immutable; bulk accessors return copies.
 */
public final class Projection {
  /**
   * Where a projection's spikes come from.
   *
   * @param kind population or host input port
   * @param name the population's or the port's name
   */
  public record Source(Kind kind, String name) {
    /** What a source name refers to. */
    public enum Kind { POPULATION, INPUT_PORT }

    public static Source population(String name) {
      return new Source(Kind.POPULATION, name);
    }

    public static Source inputPort(String name) {
      return new Source(Kind.INPUT_PORT, name);
    }

    public boolean isInputPort() {
      return kind == Kind.INPUT_PORT;
    }

    @Override
    public String toString() {
      return (isInputPort() ? "input port '" : "population '") + name + "'";
    }
  }

  private final String name;
  private final Source source;
  private final String target;
  private final int sourceSize;
  private final int targetSize;
  private final int[] rowPtr;
  private final int[] targets;
  private final int[] delays;
  private final double[] floatWeights;
  private final int[] fixedWeights;
  private final WeightFormat format;
  private final int numMessageBits;
  /**
   * Fixed point only, else null: the weight each synapse should have in chip activation units
   * before rounding (what the quantize pass asked for), kept so that exponents can be chosen again
   * once the partition is known. Null for weights that came fixed (netx).
   */
  private final double[] requested;
  /** Fixed point only, else null: the weight exponent per target neuron (see {@link #weightExp}). */
  private final int[] targetWeightExp;

  private Projection(Builder b, int[] rowPtr, int[] targets, int[] delays, double[] fw, int[] iw) {
    this(b, rowPtr, targets, delays, fw, iw, null, null);
  }

  private Projection(Builder b, int[] rowPtr, int[] targets, int[] delays, double[] fw, int[] iw,
      double[] requested, int[] targetWeightExp) {
    this.name = b.name;
    this.source = b.source;
    this.target = b.target;
    this.sourceSize = b.sourceSize;
    this.targetSize = b.targetSize;
    this.rowPtr = rowPtr;
    this.targets = targets;
    this.delays = delays;
    this.floatWeights = fw;
    this.fixedWeights = iw;
    this.format = b.format;
    this.numMessageBits = b.numMessageBits;
    this.requested = requested;
    this.targetWeightExp = targetWeightExp;
  }

  /** Starts a projection from {@code source} (of {@code sourceSize}) to {@code target}. */
  public static Builder builder(String name, Source source, int sourceSize, String target, int targetSize) {
    return new Builder(name, source, sourceSize, target, targetSize);
  }

  public String name() {
    return name;
  }

  public Source source() {
    return source;
  }

  /** Name of the target population. */
  public String target() {
    return target;
  }

  public int sourceSize() {
    return sourceSize;
  }

  public int targetSize() {
    return targetSize;
  }

  /** Total number of synapses. */
  public int synapseCount() {
    return targets.length;
  }

  /** First synapse of source {@code s}; {@code rowStart(sourceSize())} is the synapse count. */
  public int rowStart(int s) {
    return rowPtr[s];
  }

  public int target(int synapse) {
    return targets[synapse];
  }

  public int delay(int synapse) {
    return delays[synapse];
  }

  /** Whether any synapse has a non-zero delay. */
  public boolean hasDelays() {
    for (int d : delays) {
      if (d != 0) {
        return true;
      }
    }
    return false;
  }

  public int maxDelay() {
    int m = 0;
    for (int d : delays) {
      m = Math.max(m, d);
    }
    return m;
  }

  /** Whether weights are fixed-point integers (else float). */
  public boolean isFixed() {
    return fixedWeights != null;
  }

  /** Fixed-point weight of a synapse (the projection must be fixed). */
  public int fixedWeight(int synapse) {
    return fixed()[synapse];
  }

  /** Float weight of a synapse (the projection must be float). */
  public double floatWeight(int synapse) {
    if (floatWeights == null) {
      throw new IllegalStateException("projection '" + name + "' has fixed-point weights");
    }
    return floatWeights[synapse];
  }

  public int[] fixedWeights() {
    return fixed().clone();
  }

  public double[] floatWeights() {
    if (floatWeights == null) {
      throw new IllegalStateException("projection '" + name + "' has fixed-point weights");
    }
    return floatWeights.clone();
  }

  /** The fixed-point weight format, or null for float weights. */
  public WeightFormat format() {
    return format;
  }

  public int numMessageBits() {
    return numMessageBits;
  }

  private int[] fixed() {
    if (fixedWeights == null) {
      throw new QuenchException("projection '" + name + "' still has float weights; run the quantize"
          + " pass before placing it on a chip");
    }
    return fixedWeights;
  }

  /**
   * The same synapses (sources, targets, delays, order) with fixed-point weights, one per synapse
   * in this projection's synapse order; linear time, no re-sorting.
   */
  public Projection withFixedWeights(int[] weights, WeightFormat f) {
    return withFixedWeights(weights, f, null, null);
  }

  /**
   * As {@link #withFixedWeights(int[], WeightFormat)}, also keeping what each weight was rounded
   * from ({@code requested}, chip activation units, one per synapse, or null) and giving each target
   * neuron its own weight exponent ({@code targetWeightExp}, one per target neuron, or null: the
   * format's for all). Neurons that share a core must share an exponent: the chip has one per
   * (projection, core) (docs/chip-semantics.md).
   */
  public Projection withFixedWeights(int[] weights, WeightFormat f, double[] requested,
      int[] targetWeightExp) {
    if (requested != null && requested.length != targets.length) {
      throw new IllegalArgumentException("projection '" + name + "': " + requested.length
          + " requested weights for " + targets.length + " synapses");
    }
    if (targetWeightExp != null && targetWeightExp.length != targetSize) {
      throw new IllegalArgumentException("projection '" + name + "': " + targetWeightExp.length
          + " exponents for " + targetSize + " target neurons");
    }
    if (weights.length != targets.length) {
      throw new IllegalArgumentException("projection '" + name + "': " + weights.length
          + " weights for " + targets.length + " synapses");
    }
    if (f == null) {
      throw new QuenchException("projection '" + name + "': a fixed-point projection needs a format");
    }
    Builder b = new Builder(name, source, sourceSize, target, targetSize);
    b.format = f;
    b.numMessageBits = numMessageBits;
    return new Projection(b, rowPtr, targets, delays, null, weights.clone(),
        requested == null ? null : requested.clone(),
        targetWeightExp == null ? null : targetWeightExp.clone());
  }

  /**
   * The weight exponent of the synapses into target neuron {@code t}: its own when exponents were
   * chosen per core, else the format's.
   */
  public int weightExp(int t) {
    if (format == null) {
      throw new IllegalStateException("projection '" + name + "' has float weights");
    }
    return targetWeightExp == null ? format.weightExp() : targetWeightExp[t];
  }

  /** Whether target neurons have exponents of their own (chosen per core). */
  public boolean hasTargetExponents() {
    return targetWeightExp != null;
  }

  /**
   * What each fixed weight was rounded from, in chip activation units (synapse order), or null
   * when the weights came fixed point.
   */
  public double[] requestedWeights() {
    return requested == null ? null : requested.clone();
  }

  @Override
  public String toString() {
    return "Projection[" + name + ": " + source + " -> '" + target + "', " + synapseCount()
        + " synapses" + (isFixed() ? ", " + format : ", float") + "]";
  }

  /**
   * Collects synapses in any order; {@link #build()} sorts them by source, then target, keeping the
   * order of duplicates. A builder is either fixed ({@link #fixed(WeightFormat)} then
   * {@link #fixedSynapse}) or float ({@link #floatSynapse}).
   */
  public static final class Builder {
    private final String name;
    private final Source source;
    private final String target;
    private final int sourceSize;
    private final int targetSize;
    private WeightFormat format;
    private int numMessageBits;
    private int count;
    private int[] src = new int[16];
    private int[] tgt = new int[16];
    private int[] dly = new int[16];
    private int[] iw;
    private double[] fw;

    private Builder(String name, Source source, int sourceSize, String target, int targetSize) {
      Checks.name("a projection", name);
      if (source == null || source.name() == null || target == null) {
        throw new QuenchException("projection '" + name + "' needs a source and a target");
      }
      if (sourceSize <= 0 || targetSize <= 0) {
        throw new QuenchException("projection '" + name + "' has source size " + sourceSize
            + " and target size " + targetSize + "; both must be positive");
      }
      this.name = name;
      this.source = source;
      this.target = target;
      this.sourceSize = sourceSize;
      this.targetSize = targetSize;
    }

    /** Makes the projection fixed point with this format. */
    public Builder fixed(WeightFormat f) {
      if (fw != null) {
        throw new IllegalStateException("projection '" + name + "' already has float synapses");
      }
      format = f;
      if (iw == null) {
        iw = new int[src.length];
      }
      return this;
    }

    /** Graded payload width of the source's messages (0 = binary spikes). */
    public Builder numMessageBits(int bits) {
      if (bits < 0) {
        throw new QuenchException("projection '" + name + "': num_message_bits " + bits + " is negative");
      }
      numMessageBits = bits;
      return this;
    }

    public Builder fixedSynapse(int s, int t, int weight, int delay) {
      if (format == null) {
        throw new IllegalStateException("call fixed(format) before adding fixed synapses to '" + name + "'");
      }
      int k = add(s, t, delay);
      iw[k] = weight;
      return this;
    }

    public Builder floatSynapse(int s, int t, double weight, int delay) {
      if (format != null) {
        throw new IllegalStateException("projection '" + name + "' is fixed point");
      }
      if (fw == null) {
        fw = new double[src.length];
      }
      if (!Double.isFinite(weight)) {
        throw new QuenchException("projection '" + name + "': weight from source " + s + " to target "
            + t + " is " + weight + "; weights must be finite");
      }
      int k = add(s, t, delay);
      fw[k] = weight;
      return this;
    }

    private int add(int s, int t, int delay) {
      if (s < 0 || s >= sourceSize) {
        throw new QuenchException("projection '" + name + "': source index " + s + " is outside 0.."
            + (sourceSize - 1));
      }
      if (t < 0 || t >= targetSize) {
        throw new QuenchException("projection '" + name + "': target index " + t + " is outside 0.."
            + (targetSize - 1));
      }
      if (delay < 0) {
        throw new QuenchException("projection '" + name + "': synapse " + s + " -> " + t
            + " has negative delay " + delay);
      }
      if (count == src.length) {
        int n = count * 2;
        src = Arrays.copyOf(src, n);
        tgt = Arrays.copyOf(tgt, n);
        dly = Arrays.copyOf(dly, n);
        if (iw != null) {
          iw = Arrays.copyOf(iw, n);
        }
        if (fw != null) {
          fw = Arrays.copyOf(fw, n);
        }
      }
      src[count] = s;
      tgt[count] = t;
      dly[count] = delay;
      return count++;
    }

    public Projection build() {
      if (format == null && fw == null) {
        // No synapse and no format: an empty float projection is still a projection.
        fw = new double[0];
      }
      // Counting sort by source, then a stable sort by target within each row.
      int[] rowPtr = new int[sourceSize + 1];
      for (int k = 0; k < count; k++) {
        rowPtr[src[k] + 1]++;
      }
      for (int s = 0; s < sourceSize; s++) {
        rowPtr[s + 1] += rowPtr[s];
      }
      int[] order = new int[count];
      int[] next = Arrays.copyOf(rowPtr, sourceSize);
      for (int k = 0; k < count; k++) {
        order[next[src[k]]++] = k;
      }
      // Within each row, sort (target, original position) keys: stable by construction.
      long[] keys = new long[count];
      for (int k = 0; k < count; k++) {
        keys[k] = ((long) tgt[order[k]] << 32) | order[k];
      }
      for (int s = 0; s < sourceSize; s++) {
        if (rowPtr[s + 1] - rowPtr[s] > 1) {
          Arrays.sort(keys, rowPtr[s], rowPtr[s + 1]);
        }
      }
      int[] targets = new int[count];
      int[] delays = new int[count];
      int[] ints = format != null ? new int[count] : null;
      double[] floats = format == null ? new double[count] : null;
      for (int k = 0; k < count; k++) {
        int from = (int) keys[k];
        targets[k] = tgt[from];
        delays[k] = dly[from];
        if (ints != null) {
          ints[k] = iw[from];
        } else {
          floats[k] = fw[from];
        }
      }
      return new Projection(this, rowPtr, targets, delays, floats, ints);
    }
  }
}
