package org.quench.compiler.frontend.nir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of a NIR graph: one record per NIR node type, holding the parameters the file stores.
 *
 * <p>The records are faithful to the file with two normalisations, both documented on the record:
 * absent optional parameters take NIR's defaults ({@code v_reset = 0}, {@code w_in = 1}, stored as
 * 0-d tensors), and integer tuples written as one integer are expanded to one entry per spatial
 * dimension. The reader has already checked the invariants stated on each record (shapes, finite
 * values, positive time constants), so consumers need not re-check them.
 *
 * <p>Time constants and delays are in seconds, as NIR defines them; NIR's dynamics are
 * continuous-time (see docs/model-formats.md#node-types-and-what-they-become) and the time step is
 * the importer's choice.
 */
public sealed interface NirNode {

  /** NIR's name for this node type, as stored in the file's {@code type} dataset. */
  String typeName();

  /** The NIR type names, in the order the NIR specification lists them. */
  List<String> TYPE_NAMES = List.of(
      "Input", "Output", "NIRGraph", "Affine", "Linear", "Scale", "Conv1d", "Conv2d",
      "SumPool2d", "AvgPool2d", "Flatten", "Delay", "Threshold", "I", "IF", "LI", "LIF",
      "CubaLI", "CubaLIF");

  /**
   * A node of neurons (I, IF, LI, LIF, CubaLI, CubaLIF). Each parameter is either a single value
   * (0-d or size 1) shared by all neurons or one value per neuron; all per-neuron parameters have
   * one common shape.
   */
  sealed interface Neuron extends NirNode {
    /** The parameters by their NIR names, in the order NIR lists them. */
    Map<String, NirTensor> parameters();

    /**
     * The shape of the population when some parameter has more than one value: the common shape
     * of the per-neuron parameters. Empty when every parameter is a single value; then the
     * population's size comes from the graph (see {@link NirGraph#neuronCount(String)}).
     */
    default Optional<int[]> neuronShape() {
      for (NirTensor t : parameters().values()) {
        if (!t.isSingleValue()) {
          return Optional.of(t.shape());
        }
      }
      return Optional.empty();
    }
  }

  /** How a convolution pads its input. */
  enum PaddingMode {
    /** Zero padding of the given amounts on both sides of each spatial dimension. */
    EXPLICIT,
    /** NIR's "same": output size equals input size (for stride 1); amounts follow from kernel. */
    SAME,
    /** NIR's "valid": no padding. */
    VALID
  }

  /**
   * A convolution's padding: a mode and, for {@link PaddingMode#EXPLICIT} and
   * {@link PaddingMode#VALID}, the non-negative amount per spatial dimension (zeros for VALID).
   * For {@link PaddingMode#SAME} the amounts are empty: they depend on kernel and dilation.
   */
  record Padding(PaddingMode mode, List<Integer> amounts) {
    public Padding {
      Objects.requireNonNull(mode);
      amounts = List.copyOf(amounts);
    }
  }

  /** A graph input: {@code shape} is the shape of the data fed in (positive extents). */
  record Input(List<Integer> shape) implements NirNode {
    public Input {
      shape = List.copyOf(shape);
    }

    @Override
    public String typeName() {
      return "Input";
    }
  }

  /** A graph output: {@code shape} is the shape of the data leaving the graph. */
  record Output(List<Integer> shape) implements NirNode {
    public Output {
      shape = List.copyOf(shape);
    }

    @Override
    public String typeName() {
      return "Output";
    }
  }

  /** A nested graph (NIR type NIRGraph): a node that is itself a graph of nodes and edges. */
  record Graph(NirGraph graph) implements NirNode {
    public Graph {
      Objects.requireNonNull(graph);
    }

    @Override
    public String typeName() {
      return "NIRGraph";
    }
  }

  /**
   * y = W x + b. {@code weight} is 2-D [out, in]; {@code bias} is 1-D [out] (a 0-d bias in the
   * file is broadcast to [out]).
   */
  record Affine(NirTensor weight, NirTensor bias) implements NirNode {
    @Override
    public String typeName() {
      return "Affine";
    }

    /** The number of outputs (rows of the weight). */
    public int outFeatures() {
      return weight.dim(0);
    }

    /** The number of inputs (columns of the weight). */
    public int inFeatures() {
      return weight.dim(1);
    }
  }

  /** y = W x. {@code weight} is 2-D [out, in]. */
  record Linear(NirTensor weight) implements NirNode {
    @Override
    public String typeName() {
      return "Linear";
    }

    /** The number of outputs (rows of the weight). */
    public int outFeatures() {
      return weight.dim(0);
    }

    /** The number of inputs (columns of the weight). */
    public int inFeatures() {
      return weight.dim(1);
    }
  }

  /** Element-wise y = s * x; {@code scale} is one value or one per element. */
  record Scale(NirTensor scale) implements NirNode {
    @Override
    public String typeName() {
      return "Scale";
    }
  }

  /**
   * 1-D convolution. {@code weight} is 3-D [out channels, in channels / groups, kernel];
   * {@code bias} is [out channels]; stride and dilation are positive; groups is positive and
   * divides the out channels; {@code inputLength} is the spatial input length when the file gives
   * it (NIR 0.x writers did not).
   */
  record Conv1d(NirTensor weight, NirTensor bias, int stride, Padding padding, int dilation,
      int groups, Optional<Integer> inputLength) implements NirNode {
    @Override
    public String typeName() {
      return "Conv1d";
    }
  }

  /**
   * 2-D convolution. {@code weight} is 4-D [out channels, in channels / groups, kernel height,
   * kernel width]; {@code bias} is [out channels]; {@code stride} and {@code dilation} hold two
   * positive values (height, width), a single value in the file is used for both; groups is
   * positive and divides the out channels; {@code inputShape} is the spatial input shape
   * (height, width) when the file gives it.
   */
  record Conv2d(NirTensor weight, NirTensor bias, List<Integer> stride, Padding padding,
      List<Integer> dilation, int groups, Optional<List<Integer>> inputShape) implements NirNode {
    public Conv2d {
      stride = List.copyOf(stride);
      dilation = List.copyOf(dilation);
      inputShape = inputShape.map(List::copyOf);
    }

    @Override
    public String typeName() {
      return "Conv2d";
    }
  }

  /**
   * 2-D sum pooling over each channel. Each field holds two values (height, width); a single
   * value in the file is used for both. Kernel and stride are positive, padding non-negative.
   */
  record SumPool2d(List<Integer> kernelSize, List<Integer> stride, List<Integer> padding)
      implements NirNode {
    public SumPool2d {
      kernelSize = List.copyOf(kernelSize);
      stride = List.copyOf(stride);
      padding = List.copyOf(padding);
    }

    @Override
    public String typeName() {
      return "SumPool2d";
    }
  }

  /** 2-D average pooling; fields as {@link SumPool2d}. */
  record AvgPool2d(List<Integer> kernelSize, List<Integer> stride, List<Integer> padding)
      implements NirNode {
    public AvgPool2d {
      kernelSize = List.copyOf(kernelSize);
      stride = List.copyOf(stride);
      padding = List.copyOf(padding);
    }

    @Override
    public String typeName() {
      return "AvgPool2d";
    }
  }

  /**
   * Flattens dimensions {@code startDim..endDim} (inclusive, negative counts from the end, no
   * batch dimension) of an input of shape {@code inputType} into one. The reader checks that both
   * dimensions lie inside the input's rank and {@code startDim <= endDim} once normalised.
   */
  record Flatten(List<Integer> inputType, int startDim, int endDim) implements NirNode {
    public Flatten {
      inputType = List.copyOf(inputType);
    }

    @Override
    public String typeName() {
      return "Flatten";
    }

    /** The shape after flattening. */
    public List<Integer> outputShape() {
      int rank = inputType.size();
      int start = startDim < 0 ? startDim + rank : startDim;
      int end = endDim < 0 ? endDim + rank : endDim;
      ArrayList<Integer> out = new ArrayList<>(inputType.subList(0, start));
      int product = 1;
      for (int d = start; d <= end; d++) {
        product *= inputType.get(d);
      }
      out.add(product);
      out.addAll(inputType.subList(end + 1, rank));
      return List.copyOf(out);
    }
  }

  /** Delays each element by {@code delay} seconds (non-negative; one value or per element). */
  record Delay(NirTensor delay) implements NirNode {
    @Override
    public String typeName() {
      return "Delay";
    }
  }

  /** Emits 1 where the input exceeds {@code threshold}, else 0 (one value or per element). */
  record Threshold(NirTensor threshold) implements NirNode {
    @Override
    public String typeName() {
      return "Threshold";
    }
  }

  /** Integrator: dv/dt = r I. */
  record I(NirTensor r) implements Neuron {
    @Override
    public String typeName() {
      return "I";
    }

    @Override
    public Map<String, NirTensor> parameters() {
      return ordered("r", r);
    }
  }

  /**
   * Integrate-and-fire: dv/dt = r I; spike when v &gt; v_threshold, then v = v_reset
   * ({@code vReset} is 0 when the file omits it).
   */
  record IF(NirTensor r, NirTensor vThreshold, NirTensor vReset) implements Neuron {
    @Override
    public String typeName() {
      return "IF";
    }

    @Override
    public Map<String, NirTensor> parameters() {
      return ordered("r", r, "v_threshold", vThreshold, "v_reset", vReset);
    }
  }

  /** Leaky integrator: tau dv/dt = (v_leak - v) + r I; tau &gt; 0 seconds. */
  record LI(NirTensor tau, NirTensor r, NirTensor vLeak) implements Neuron {
    @Override
    public String typeName() {
      return "LI";
    }

    @Override
    public Map<String, NirTensor> parameters() {
      return ordered("tau", tau, "r", r, "v_leak", vLeak);
    }
  }

  /**
   * Leaky integrate-and-fire: tau dv/dt = (v_leak - v) + r I; spike when v &gt; v_threshold, then
   * v = v_reset ({@code vReset} is 0 when the file omits it); tau &gt; 0 seconds.
   */
  record LIF(NirTensor tau, NirTensor r, NirTensor vLeak, NirTensor vThreshold, NirTensor vReset)
      implements Neuron {
    @Override
    public String typeName() {
      return "LIF";
    }

    @Override
    public Map<String, NirTensor> parameters() {
      return ordered("tau", tau, "r", r, "v_leak", vLeak, "v_threshold", vThreshold,
          "v_reset", vReset);
    }
  }

  /**
   * Current-based leaky integrator: tau_syn dI/dt = -I + w_in S; tau_mem dv/dt = (v_leak - v) +
   * r I. Both time constants &gt; 0 seconds; {@code wIn} is 1 when the file omits it.
   */
  record CubaLI(NirTensor tauSyn, NirTensor tauMem, NirTensor r, NirTensor vLeak, NirTensor wIn)
      implements Neuron {
    @Override
    public String typeName() {
      return "CubaLI";
    }

    @Override
    public Map<String, NirTensor> parameters() {
      return ordered("tau_syn", tauSyn, "tau_mem", tauMem, "r", r, "v_leak", vLeak, "w_in", wIn);
    }
  }

  /**
   * Current-based leaky integrate-and-fire: as {@link CubaLI}, plus a spike when v &gt;
   * v_threshold, then v = v_reset. {@code vReset} is 0 and {@code wIn} is 1 when the file omits
   * them.
   */
  record CubaLIF(NirTensor tauSyn, NirTensor tauMem, NirTensor r, NirTensor vLeak,
      NirTensor vThreshold, NirTensor vReset, NirTensor wIn) implements Neuron {
    @Override
    public String typeName() {
      return "CubaLIF";
    }

    @Override
    public Map<String, NirTensor> parameters() {
      return ordered("tau_syn", tauSyn, "tau_mem", tauMem, "r", r, "v_leak", vLeak,
          "v_threshold", vThreshold, "v_reset", vReset, "w_in", wIn);
    }
  }

  private static Map<String, NirTensor> ordered(Object... namesAndTensors) {
    LinkedHashMap<String, NirTensor> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndTensors.length; i += 2) {
      map.put((String) namesAndTensors[i], (NirTensor) namesAndTensors[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }
}
