package org.quench.compiler.frontend;

import org.quench.hal.MessageText;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.quench.compiler.frontend.hdf.HdfModelFile;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.Provenance;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.compiler.quant.WeightBits;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Reads a lava-dl netx network (the {@code .net} HDF5 file, docs/model-formats.md#lava-dl-netx)
 * into a fixed-point {@link Network}, doing exactly what netx does on its way to Lava's
 * bit-accurate processes and nothing more: weights and biases truncated toward zero, dense and
 * dense_rec weights through lava-dl's weight optimisation ({@link WeightBits#optimizeNetx}), conv
 * layers lowered to sparse synapses with their integer weights, CUBA/LOIHI neurons mapped to du =
 * iDecay - 1, dv = vDecay, vth = vThMant, bias_exp = 6.
 *
 * <p>Layer {@code i} becomes population {@code layer<i>}; its synapses from the previous layer are
 * projection {@code layer<i>.weight} (and {@code layer<i>.weight_rec}, the population onto itself,
 * for dense_rec). The host feeds the network through input port {@code input}: into the input
 * layer through one-to-one synapses of weight 1 (netx feeds the input neurons' a_in directly, one
 * step earlier), or into the first layer's synapses when the file has no input layer. The last
 * layer is the output. Decisions and warnings are recorded in the network's provenance notes.
 *
 * <p>netx files hold Loihi's integers, so the reader is given the compile's target chip
 * ({@link Options#target()}, Loihi by default) and refuses one whose arithmetic differs from
 * Loihi's ({@link ChipSpec#arithmeticDifferences}); its budgets may differ
 * (docs/model-formats.md#target-chips). A network read for Loihi and compiled through the Java
 * API for another chip is not checked again: read it for that chip.
 */
public final class NetxReader {
  /** Name of the host input port the reader creates. */
  public static final String INPUT_PORT = "input";
  /**
   * Most neurons a netx network may have: the largest Loihi system's (32 chips of 128 cores of
   * 1024 neurons). Checked per layer before any per-neuron array is allocated, so a damaged shape
   * cannot make the reader allocate gigabytes.
   */
  static final long MAX_NEURONS = 32L * 128 * 1024;

  /** netx clamps synaptic delays to this (Loihi 1's limit). */
  public static final int MAX_NETX_DELAY = 62;

  /**
   * Import options.
   *
   * @param sampleSteps steps per sample: when set, layer i resets its state periodically with
   *     interval sampleSteps and offset i - 1, as lava-dl does between samples; null = no resets
   * @param inputMessageBits graded payload width of the host input port (0 = binary spikes),
   *     within the target's {@link ChipSpec#messageBitsRange()}
   * @param target the chip the network will be compiled for: it must compute as Loihi does
   *     ({@link ChipSpec#arithmeticDifferences}), since netx files hold Loihi's integers
   */
  public record Options(Integer sampleSteps, int inputMessageBits, ChipSpec target) {
    /** Checks the options against each other and the target. */
    public Options {
      if (target == null) {
        throw new QuenchException("netx import needs a target chip spec");
      }
      if (sampleSteps != null && sampleSteps < 1) {
        throw new QuenchException("sampleSteps must be at least 1 step, got " + sampleSteps);
      }
      if (!target.messageBitsRange().contains(inputMessageBits)) {
        throw new QuenchException("inputMessageBits " + inputMessageBits + " is outside "
            + target.messageBitsRange() + " (0 = binary spikes; maxMessageBits of chip '"
            + target.name() + "')");
      }
    }

    /** No periodic reset, binary input, Loihi as the target. */
    public static Options defaults() {
      return new Options(null, 0, ChipSpec.loihi());
    }

    public Options withSampleSteps(int steps) {
      return new Options(steps, inputMessageBits, target);
    }

    public Options withInputMessageBits(int bits) {
      return new Options(sampleSteps, bits, target);
    }

    /** These options for another target chip. */
    public Options withTarget(ChipSpec spec) {
      return new Options(sampleSteps, inputMessageBits, spec);
    }
  }

  private NetxReader() {}

  /** Reads a netx file with default options. */
  public static Network read(Path file) {
    return read(file, Options.defaults());
  }

  public static Network read(Path file, Options options) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException("netx file " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read netx file " + file + ": " + e.getMessage(), e);
    }
    Path name = file.getFileName();
    return read(bytes, name == null ? file.toString() : name.toString(), options);
  }

  /** Reads netx bytes; {@code fileName} is used for provenance and error messages. */
  public static Network read(byte[] bytes, String fileName, Options options) {
    requireLoihiArithmetic(fileName, options.target());
    try (HdfModelFile model = NetxFile.open(bytes, fileName)) {
      return new Import(new NetxFile(fileName, model), model.hdf(), fileName, sha256(bytes), options)
          .run();
    } catch (QuenchException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!HdfModelFile.fromJhdf(e)) {
        throw e;
      }
      // jhdf reads lazily: a damaged group or header shows only when the import reaches it.
      throw new QuenchException(fileName + ": cannot read the HDF5 structure (" + MessageText.firstLine(e)
          + "); the file is truncated or corrupt, export it again from lava-dl", e);
    }
  }

  /**
   * A netx file holds integers for Loihi's arithmetic (lava-dl quantizes for it): they mean the
   * same only on a chip that computes as Loihi does. Budgets (cores, neurons per core, profile
   * tables, axons, synapse memory) may differ; a value outside a narrower range of the target
   * (delays, message bits, bias or weight exponents) is refused when the image is emitted.
   */
  private static void requireLoihiArithmetic(String fileName, ChipSpec target) {
    List<String> differences = target.arithmeticDifferences(ChipSpec.loihi());
    if (!differences.isEmpty()) {
      throw new QuenchException(fileName + ": a lava-dl netx network holds integers for Loihi's"
          + " arithmetic, and chip '" + target.name() + "' computes differently ("
          + String.join(", ", differences) + "); compile it for a chip with Loihi's widths and"
          + " shifts (budgets such as cores or neurons per core may differ), or export the model"
          + " as NIR so that Quench quantizes it for '" + target.name() + "'");
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a created layer offers to the next one. */
  private record Layer(String name, int c, int h, int w, int messageBits) {
    int size() {
      return c * h * w;
    }
  }

  /** One import run: walks the layers in order. */
  private static final class Import {
    private final NetxFile f;
    private final HdfFile hdf;
    private final String fileName;
    private final String hash;
    private final Options options;
    private final List<String> notes = new ArrayList<>();
    private final Network.Builder net;
    private Layer previous;
    private boolean flattenPending;
    private int populationIndex;
    private long neuronsSoFar;

    Import(NetxFile f, HdfFile hdf, String fileName, String hash, Options options) {
      this.f = f;
      this.hdf = hdf;
      this.fileName = fileName;
      this.hash = hash;
      this.options = options;
      String base = fileName.replaceAll("\\.[^.]*$", "");
      this.net = Network.builder(base.isBlank() ? "netx" : base);
    }

    Network run() {
      Group layers = f.group(hdf, "layer");
      int count = layers.getChildren().size();
      if (count == 0) {
        throw new QuenchException(f.where("/layer") + " has no layers; expected groups 0..n-1");
      }
      for (int i = 0; i < count; i++) {
        if (!f.has(layers, String.valueOf(i))) {
          throw new QuenchException(f.where("/layer") + " has " + count + " children but no layer '"
              + i + "'; expected groups named 0.." + (count - 1) + ", got " + layers.getChildren().keySet());
        }
      }
      if (f.has(hdf, "simulation")) {
        Group sim = f.group(hdf, "simulation");
        if (f.has(sim, "tSample")) {
          notes.add("netx: simulation/tSample = " + f.scalar(sim, "tSample")
              + (options.sampleSteps() == null ? " (no periodic reset: sampleSteps not set)"
              : "; periodic reset every " + options.sampleSteps() + " steps"));
        }
      }
      for (int i = 0; i < count; i++) {
        layer(i, f.group(layers, String.valueOf(i)));
      }
      if (previous == null) {
        throw new QuenchException(f.where("/layer") + " has no layer with neurons");
      }
      if (flattenPending) {
        notes.add("netx: trailing flatten layer has no effect");
      }
      net.output(previous.name());
      net.provenance(new Provenance(fileName, hash, notes));
      return net.build();
    }

    private void layer(int i, Group g) {
      String type = f.string(g, "type");
      String where = "layer " + i + " (" + MessageText.shown(type) + ")";
      switch (type) {
        case "input" -> input(i, g, where);
        case "dense" -> dense(i, g, where, false);
        case "dense_rec" -> dense(i, g, where, true);
        case "conv" -> conv(i, g, where);
        case "flatten" -> {
          if (previous == null) {
            throw new QuenchException(f.where(g) + ": " + where + " comes before any layer");
          }
          flattenPending = true;
        }
        case "pool", "average", "concat", "convT", "unpool" -> throw new QuenchException(
            f.where(g) + ": " + where + " is not supported by netx/Lava: lava-dl's netx "
            + "raises NotImplementedError for '" + MessageText.shown(type) + "' layers, so no Lava network exists to match."
            + " Replace it before export (e.g. a strided conv instead of pooling)");
        default -> throw new QuenchException(f.where(g, "type") + ": unknown layer type '"
            + MessageText.shown(type) + "'; netx layers are input, dense, dense_rec, conv, flatten");
      }
    }

    private int[] chw(Group g, String where) {
      long[] s = f.integers(g, "shape", "the layer shape (C, H, W)");
      if (s.length < 1 || s.length > 3) {
        throw new QuenchException(f.where(g, "shape") + ": " + where + " has shape "
            + Arrays.toString(s) + "; expected (C, H, W)");
      }
      int[] out = {1, 1, 1};
      for (int k = 0; k < s.length; k++) {
        if (s[k] <= 0) {
          throw new QuenchException(f.where(g, "shape") + ": " + where + " has shape "
              + Arrays.toString(s) + "; every dimension must be positive");
        }
        out[k] = (int) s[k];
      }
      long neurons = (long) out[0] * out[1] * out[2];
      if (neuronsSoFar + neurons > MAX_NEURONS) {
        throw new QuenchException(f.where(g, "shape") + ": " + where + " has shape "
            + Arrays.toString(s) + " (" + neurons + " neurons), which takes the network past the "
            + MAX_NEURONS + " neurons of the largest Loihi system (32 chips of 128 cores of 1024"
            + " neurons); the file is damaged or the network cannot be deployed");
      }
      neuronsSoFar += neurons;
      return out;
    }

    private void input(int i, Group g, String where) {
      if (previous != null) {
        throw new QuenchException(f.where(g) + ": " + where + " is not the first layer;"
            + " netx allows an input layer only at the start");
      }
      int[] s = chw(g, where);
      Layer me = new Layer("layer" + i, s[0], s[1], s[2], 0);
      NeuronGroup neuron = neuron(g, me, where, false);
      if (f.has(g, "weight") || f.has(g, "bias")) {
        notes.add("netx: " + where + " has an input weight/bias (netx's image transform "
            + "2*w*x - w + b, applied on the host): ignored; give the input layer's bias as a stimulus");
      }
      me = new Layer(me.name(), me.c(), me.h(), me.w(), neuron.messageBits());
      net.population(Population.of(me.name(), new int[] {me.c(), me.h(), me.w()}, fixed(neuron, me)));
      int n = me.size();
      net.input(new InputPort(INPUT_PORT, n));
      Projection.Builder p = Projection.builder(me.name() + ".input", Projection.Source.inputPort(INPUT_PORT),
          n, me.name(), n).fixed(WeightFormat.dense(SignMode.EXCITATORY, options.target()))
          .numMessageBits(options.inputMessageBits());
      for (int k = 0; k < n; k++) {
        p.fixedSynapse(k, k, 1, 0);
      }
      net.projection(p.build());
      notes.add("netx: host input port '" + INPUT_PORT + "' drives " + me.name()
          + " one-to-one with weight 1; spikes arrive one step later than netx's direct a_in input");
      previous = me;
      populationIndex++;
    }

    private void dense(int i, Group g, String where, boolean recurrent) {
      int[] s = chw(g, where);
      Layer me = new Layer("layer" + i, s[0], s[1], s[2], 0);
      int out = me.size();
      double[] raw = f.numbers(g, "weight", "the weight matrix [out, in]");
      int[] wd = f.dims(g, "weight");
      if (raw.length % out != 0 || (wd.length == 2 && wd[0] != out) || wd.length > 2 || wd.length == 0) {
        throw new QuenchException(f.where(g, "weight") + ": " + where + " has weight shape "
            + Arrays.toString(wd) + " for " + out + " neurons; expected [" + out + ", in]");
      }
      int in = raw.length / out;
      int sourceSize;
      if (previous == null) {
        sourceSize = in;
      } else {
        sourceSize = previous.size();
        if (in != sourceSize) {
          throw new QuenchException(f.where(g, "weight") + ": " + where + " has " + in
              + " inputs per neuron (weight shape " + Arrays.toString(wd) + ") but the previous layer "
              + previous.name() + " has " + sourceSize + " neurons");
        }
        if (!flattenPending && (previous.h() != 1 || previous.w() != 1)) {
          notes.add("netx: " + where + " reads " + previous.name() + " (C,H,W = " + previous.c() + ","
              + previous.h() + "," + previous.w() + ") without a flatten layer; indexed as c*H*W + h*W + w");
        }
      }
      flattenPending = false;
      long[] weight = truncate(raw, g, "weight");
      long[] rec = null;
      if (recurrent) {
        double[] r = f.numbers(g, "weight_rec", "the recurrent weight matrix [out, out]");
        if (r.length != (long) out * out) {
          throw new QuenchException(f.where(g, "weight_rec") + ": " + where + " has "
              + r.length + " recurrent weights (shape " + Arrays.toString(f.dims(g, "weight_rec"))
              + "); expected [" + out + ", " + out + "]");
        }
        rec = truncate(r, g, "weight_rec");
      }
      // lava-dl optimises dense_rec's input and recurrent weights side by side as one matrix.
      long[] joint = weight;
      if (recurrent) {
        joint = new long[weight.length + rec.length];
        System.arraycopy(weight, 0, joint, 0, weight.length);
        System.arraycopy(rec, 0, joint, weight.length, rec.length);
      }
      DenseWeights opt = optimise(joint, f.where(g) + ": " + where, options.target());
      notes.add("netx: " + where + " weights optimised: sign " + opt.signMode() + ", num_weight_bits "
          + opt.numWeightBits() + ", weight_exp " + opt.weightExp() + (opt.clipped()
          ? " (clipped to [-256, 254] as lava-dl does)" : ""));
      int[] delays = null;
      if (f.has(g, "delay")) {
        delays = delays(g, where, out, in);
        if (recurrent) {
          notes.add("netx: " + where + " has delays; lava-dl then omits weight_exp on this layer's "
              + "synapses, Quench applies weight_exp " + opt.weightExp());
        }
      }
      NeuronGroup neuron = f.has(g, "neuron") ? neuron(g, me, where, true) : defaultNeuron(me, where);
      me = new Layer(me.name(), me.c(), me.h(), me.w(), neuron.messageBits());
      net.population(Population.of(me.name(), new int[] {me.c(), me.h(), me.w()}, fixed(neuron, me)));
      WeightFormat format = new WeightFormat(opt.weightExp(), opt.numWeightBits(), opt.signMode(),
          org.quench.compiler.ir.ConnectionKind.DENSE);
      Projection.Source src;
      if (previous == null) {
        net.input(new InputPort(INPUT_PORT, in));
        src = Projection.Source.inputPort(INPUT_PORT);
        notes.add("netx: no input layer; host input port '" + INPUT_PORT + "' (" + in
            + " channels) feeds " + where + "'s synapses");
      } else {
        src = Projection.Source.population(previous.name());
      }
      Projection.Builder p = Projection.builder(me.name() + ".weight", src, in, me.name(), out)
          .fixed(format).numMessageBits(previous == null ? options.inputMessageBits() : previous.messageBits());
      int[] w = opt.weights();
      for (int o = 0; o < out; o++) {
        for (int k = 0; k < in; k++) {
          int v = w[o * in + k];
          if (v != 0) {
            p.fixedSynapse(k, o, v, delays == null ? 0 : delays[o * in + k]);
          }
        }
      }
      net.projection(p.build());
      if (recurrent) {
        Projection.Builder r = Projection.builder(me.name() + ".weight_rec",
            Projection.Source.population(me.name()), out, me.name(), out).fixed(format)
            .numMessageBits(me.messageBits());
        int base = out * in;
        for (int o = 0; o < out; o++) {
          for (int k = 0; k < out; k++) {
            int v = w[base + o * out + k];
            if (v != 0) {
              r.fixedSynapse(k, o, v, 0);
            }
          }
        }
        net.projection(r.build());
      }
      previous = me;
      populationIndex++;
    }

    private int[] delays(Group g, String where, int out, int in) {
      double[] d = f.numbers(g, "delay", "synaptic delays [out, in]");
      int[] result = new int[out * in];
      int clamped = 0;
      for (int o = 0; o < out; o++) {
        for (int k = 0; k < in; k++) {
          double v;
          if (d.length == (long) out * in) {
            v = d[o * in + k];
          } else if (d.length == in) {
            v = d[k];
          } else if (d.length == 1) {
            v = d[0];
          } else {
            throw new QuenchException(f.where(g, "delay") + ": " + where + " has "
                + d.length + " delays (shape " + Arrays.toString(f.dims(g, "delay")) + "); expected ["
                + out + ", " + in + "], [" + in + "] or one value");
          }
          long t = (long) v;
          if (t < 0) {
            throw new QuenchException(f.where(g, "delay") + ": " + where + " synapse "
                + k + " -> " + o + " has negative delay " + v);
          }
          if (t > MAX_NETX_DELAY) {
            clamped++;
            t = MAX_NETX_DELAY;
          }
          result[o * in + k] = (int) t;
        }
      }
      if (clamped > 0) {
        notes.add("WARNING netx: " + where + " has " + clamped + " delays above " + MAX_NETX_DELAY
            + "; clamped to " + MAX_NETX_DELAY + " as netx does");
      }
      return result;
    }

    private void conv(int i, Group g, String where) {
      if (previous == null) {
        throw new QuenchException(f.where(g) + ": " + where + " needs a previous layer "
            + "(an input layer) to define its input shape");
      }
      if (flattenPending) {
        throw new QuenchException(f.where(g) + ": " + where + " follows a flatten layer;"
            + " netx connects conv layers only to (C, H, W) inputs");
      }
      int[] s = chw(g, where);
      Layer me = new Layer("layer" + i, s[0], s[1], s[2], 0);
      double[] raw = f.numbers(g, "weight", "the kernel [out, in/groups, kH, kW(, 1)]");
      int[] wd = f.dims(g, "weight");
      if (!(wd.length == 4 || (wd.length == 5 && wd[4] == 1))) {
        throw new QuenchException(f.where(g, "weight") + ": " + where + " has kernel shape "
            + Arrays.toString(wd) + "; expected [out, in/groups, kH, kW] or [out, in/groups, kH, kW, 1]");
      }
      int outC = wd[0];
      int inPerGroup = wd[1];
      int kh = wd[2];
      int kw = wd[3];
      int groups = (int) (f.has(g, "groups") ? f.scalar(g, "groups") : 1);
      int[] stride = pair(g, "stride", where, 1);
      int[] pad = pair(g, "padding", where, 0);
      int[] dil = pair(g, "dilation", where, 1);
      int inC = previous.c();
      int inH = previous.h();
      int inW = previous.w();
      if (groups <= 0 || inC % groups != 0 || outC % groups != 0 || inC / groups != inPerGroup) {
        throw new QuenchException(f.where(g) + ": " + where + " has " + groups + " groups, kernel "
            + Arrays.toString(wd) + " and " + inC + " input channels from " + previous.name()
            + "; expected in/groups = kernel dim 1 and both channel counts divisible by groups");
      }
      if (stride[0] <= 0 || stride[1] <= 0 || dil[0] <= 0 || dil[1] <= 0 || pad[0] < 0 || pad[1] < 0) {
        throw new QuenchException(f.where(g) + ": " + where + " has stride "
            + Arrays.toString(stride) + ", padding " + Arrays.toString(pad) + ", dilation "
            + Arrays.toString(dil) + "; stride and dilation must be positive, padding non-negative");
      }
      int outH = (inH + 2 * pad[0] - dil[0] * (kh - 1) - 1) / stride[0] + 1;
      int outW = (inW + 2 * pad[1] - dil[1] * (kw - 1) - 1) / stride[1] + 1;
      if (outC != me.c() || outH != me.h() || outW != me.w()) {
        throw new QuenchException(f.where(g, "shape") + ": " + where + " declares shape (C,H,W) = ("
            + me.c() + "," + me.h() + "," + me.w() + ") but its kernel " + Arrays.toString(wd)
            + " on input (" + inC + "," + inH + "," + inW + ") gives (" + outC + "," + outH + "," + outW + ")");
      }
      if (f.has(g, "inChannels") && f.scalar(g, "inChannels") != inC) {
        throw new QuenchException(f.where(g, "inChannels") + ": " + where + " says "
            + f.scalar(g, "inChannels") + " input channels; the previous layer has " + inC);
      }
      long[] k = truncate(raw, g, "weight");
      if (f.has(g, "delay")) {
        notes.add("WARNING netx: " + where + " has a delay dataset; netx's Conv ignores it, so does Quench");
      }
      NeuronGroup neuron = neuron(g, me, where, true);
      me = new Layer(me.name(), me.c(), me.h(), me.w(), neuron.messageBits());
      net.population(Population.of(me.name(), new int[] {me.c(), me.h(), me.w()}, fixed(neuron, me)));
      Projection.Builder p = Projection.builder(me.name() + ".weight",
          Projection.Source.population(previous.name()), previous.size(), me.name(), me.size())
          .fixed(WeightFormat.conv()).numMessageBits(previous.messageBits());
      int outPerGroup = outC / groups;
      // netx flips and transposes the stored kernel before handing it to Lava's Conv; the two
      // cancel, so the net effect is a cross-correlation with the kernel exactly as stored
      // (checked spike for spike against lava-dl's own tiny.net recording).
      for (int o = 0; o < outC; o++) {
        int grp = o / outPerGroup;
        for (int oy = 0; oy < outH; oy++) {
          for (int ox = 0; ox < outW; ox++) {
            int t = (o * outH + oy) * outW + ox;
            for (int ic = 0; ic < inPerGroup; ic++) {
              int c = grp * inPerGroup + ic;
              for (int ky = 0; ky < kh; ky++) {
                int iy = oy * stride[0] - pad[0] + ky * dil[0];
                if (iy < 0 || iy >= inH) {
                  continue;
                }
                for (int kx = 0; kx < kw; kx++) {
                  int ix = ox * stride[1] - pad[1] + kx * dil[1];
                  if (ix < 0 || ix >= inW) {
                    continue;
                  }
                  long v = k[((o * inPerGroup + ic) * kh + ky) * kw + kx];
                  if (v != 0) {
                    p.fixedSynapse((c * inH + iy) * inW + ix, t, (int) v, 0);
                  }
                }
              }
            }
          }
        }
      }
      net.projection(p.build());
      previous = me;
      populationIndex++;
    }

    /** A (y, x) pair stored as one or two values in (H, W) order. */
    private int[] pair(Group g, String name, String where, int dflt) {
      if (!f.has(g, name)) {
        return new int[] {dflt, dflt};
      }
      long[] v = f.integers(g, name, name + " as one value or (y, x)");
      if (v.length == 1) {
        return new int[] {(int) v[0], (int) v[0]};
      }
      if (v.length == 2) {
        return new int[] {(int) v[0], (int) v[1]};
      }
      throw new QuenchException(f.where(g, name) + ": " + where + " has " + v.length
          + " values; expected one value or (y, x)");
    }

    private long[] truncate(double[] raw, Group g, String name) {
      long[] out = new long[raw.length];
      for (int k = 0; k < raw.length; k++) {
        if (Math.abs(raw[k]) >= 0x1p31) {
          throw new QuenchException(f.where(g, name) + "[" + k + "] is " + raw[k]
              + "; netx weights must fit 32-bit integers");
        }
        out[k] = (long) raw[k]; // toward zero, as numpy's astype(int)
      }
      return out;
    }

    private NeuronGroup defaultNeuron(Layer me, String where) {
      // netx's default CUBA neuron: no current decay (iDecay 0), keep no voltage (vDecay =
      // unity) and the never-firing threshold (the top of vthRange, docs/chip-semantics.md).
      ChipSpec spec = options.target();
      int du = spec.decayURange().min();
      int dv = spec.decayVRange().max();
      int vth = spec.vthRange().max();
      notes.add("netx: " + where + " has no neuron group; using netx's default CUBA neuron "
          + "(iDecay " + (du + 1) + ", vDecay " + dv + ", vThMant " + vth + ": never fires)");
      int n = me.size();
      return new NeuronGroup(filled(n, du), filled(n, dv), filled(n, vth), filled(n, 0),
          bias(null, me, where), 0);
    }

    private NeuronGroup neuron(Group layer, Layer me, String where, boolean hasBias) {
      Group g = f.group(layer, "neuron");
      String type = f.string(g, "type");
      String upper = type.toUpperCase(Locale.ROOT);
      if (!upper.equals("LOIHI") && !upper.equals("CUBA")) {
        throw new QuenchException(f.where(g, "type") + ": " + where + " has neuron type '"
            + MessageText.shown(type) + "'; Quench supports netx's CUBA and LOIHI neurons (SDNN, RF and others have no "
            + "bit-accurate LIF equivalent)");
      }
      int n = me.size();
      int[] iDecay = perNeuron(g, "iDecay", me, where);
      int[] du = new int[n];
      for (int k = 0; k < n; k++) {
        du[k] = iDecay[k] - 1;
      }
      int[] dv = perNeuron(g, "vDecay", me, where);
      int[] vth = perNeuron(g, "vThMant", me, where);
      int[] refractory = new int[n];
      if (f.has(g, "refDelay")) {
        int[] ref = perNeuron(g, "refDelay", me, where);
        boolean any = false;
        for (int k = 0; k < n; k++) {
          // refDelay 1 is Lava's plain LIF (no refractory period); larger values map to Lava's
          // LIFRefractory, which holds v for refDelay steps after a spike (Quench EXTENSION).
          refractory[k] = ref[k] <= 1 ? 0 : ref[k];
          any |= ref[k] > 1;
        }
        if (any) {
          notes.add("WARNING netx: " + where + " has refDelay > 1: mapped to a refractory period of "
              + "refDelay steps (a Quench extension; Lava's bit-accurate LIF has none)");
        }
      }
      int messageBits = f.has(g, "messageBits") ? (int) f.scalar(g, "messageBits") : 0;
      if (messageBits < 0) {
        throw new QuenchException(f.where(g, "messageBits") + ": " + where
            + " has negative messageBits " + messageBits);
      }
      return new NeuronGroup(du, dv, vth, refractory, hasBias ? bias(layer, me, where) : new int[n],
          messageBits);
    }

    private int[] bias(Group layer, Layer me, String where) {
      if (layer == null || !f.has(layer, "bias")) {
        return new int[me.size()];
      }
      return broadcast(f.integers(layer, "bias", "biases per neuron or per channel"), me, where,
          f.where(layer, "bias"));
    }

    private int[] perNeuron(Group g, String name, Layer me, String where) {
      return broadcast(f.integers(g, name, name + " (one value, per channel or per neuron)"), me, where,
          f.where(g, name));
    }

    private int[] broadcast(long[] v, Layer me, String where, String path) {
      int n = me.size();
      int[] out = new int[n];
      int hw = me.h() * me.w();
      for (int k = 0; k < n; k++) {
        long x;
        if (v.length == 1) {
          x = v[0];
        } else if (v.length == n) {
          x = v[k];
        } else if (v.length == me.c()) {
          x = v[k / hw];
        } else {
          throw new QuenchException(path + ": " + where + " has " + v.length + " values; expected"
              + " one, one per channel (" + me.c() + ") or one per neuron (" + n + ")");
        }
        out[k] = (int) x;
      }
      return out;
    }

    private static int[] filled(int n, int v) {
      int[] a = new int[n];
      Arrays.fill(a, v);
      return a;
    }

    /** A layer's neuron parameters before they become FixedNeurons. */
    private record NeuronGroup(int[] du, int[] dv, int[] vth, int[] refractory, int[] biasMant,
        int messageBits) {}

    private FixedNeurons fixed(NeuronGroup n, Layer me) {
      FixedNeurons.Builder b = FixedNeurons.builder(me.size()).du(n.du()).dv(n.dv()).vth(n.vth())
          .refractory(n.refractory()).biasMant(n.biasMant()).allBiasExp(6);
      if (options.sampleSteps() != null) {
        // lava-dl resets layer i with offset i - 1: the input layer (offset -1) never resets, nor
        // does a layer whose offset reaches the interval ((t - 1) mod interval never equals it).
        if (populationIndex - 1 < options.sampleSteps()) {
          b.allResetInterval(options.sampleSteps()).allResetOffset(populationIndex - 1);
        } else {
          notes.add("netx: " + me.name() + " has reset offset " + (populationIndex - 1) + " >= sampleSteps "
              + options.sampleSteps() + ": it never resets, as in lava-dl");
        }
      }
      return b.build(me.name());
    }
  }

  /** A dense layer's weights after lava-dl's optimisation, in the IR's terms. */
  record DenseWeights(int[] weights, int numWeightBits, int weightExp, SignMode signMode,
      boolean clipped) {}

  /**
   * lava-dl's dense weight optimisation ({@link WeightBits#optimizeNetx}) on truncated weights,
   * refusing what lava-dl would silently zero: weights that need a positive exponent (beyond the
   * 8-bit synapse on their sign's side), which netx shifts to zero through a negative numpy shift.
   */
  static DenseWeights optimise(long[] weights, String where, ChipSpec spec) {
    long max = 0;
    long min = 0;
    for (long w : weights) {
      max = Math.max(max, w);
      min = Math.min(min, w);
    }
    int[] w = new int[weights.length];
    for (int i = 0; i < w.length; i++) {
      // Values beyond int clip (mixed) or are refused below either way.
      w[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, weights[i]));
    }
    WeightBits.OptimizedWeights o = WeightBits.optimizeNetx(w, spec);
    SignMode mode = switch (o.signMode()) {
      case INHIBITORY -> SignMode.INHIBITORY;
      case EXCITATORY -> SignMode.EXCITATORY;
      default -> SignMode.MIXED;
    };
    if (o.weightExp() > 0) {
      ChipSpec.Range held = spec.weightMantRange(o.signMode());
      throw new QuenchException(where + ": " + mode + " weights reach " + (mode == SignMode.INHIBITORY
          ? min : max) + ", beyond the " + spec.weightMantBits() + "-bit synapse ("
          + (mode == SignMode.INHIBITORY ? held.min() : held.max())
          + "); lava-dl would shift them to zero. Retrain or rescale the weights into range");
    }
    return new DenseWeights(o.weights(), o.numWeightBits(), o.weightExp(), mode, o.clipped() > 0);
  }
}
