package org.quench.compiler.ir;

import java.util.Arrays;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Chip-ready fixed-point neuron parameters, one value per neuron, in the chip's integers
 * (docs/chip-semantics.md#valid-range-of-each-parameter): current decay {@code du} (-1 = no decay
 * .. 4095), voltage decay {@code dv} (0..4096), threshold mantissa {@code vth} (effective vth
 * &lt;&lt; 6), {@code vthLo} (TERNARY_LIF lower threshold), bias mantissa and exponent, refractory
 * period in steps (EXTENSION; 0 = Lava), reset mode, periodic reset (interval 0 = never; offset
 * compared as in chip_image.proto) and the initial u and v. What holds on every chip is checked
 * here (lengths, refractory >= 0, interval >= 0, reset offset -1..interval-1); ranges of a chip's
 * registers are checked when the image is emitted for a spec. Immutable.
 */
public final class FixedNeurons implements NeuronDynamics {
  private final int[] du;
  private final int[] dv;
  private final int[] vth;
  private final int[] vthLo;
  private final int[] biasMant;
  private final int[] biasExp;
  private final int[] refractory;
  private final ResetMode[] resetMode;
  private final NeuronKind[] kind;
  private final int[] resetInterval;
  private final int[] resetOffset;
  private final int[] uInit;
  private final int[] vInit;

  private FixedNeurons(Builder b, String owner) {
    int n = b.size;
    du = Checks.perNeuron(owner, "du", b.du, n);
    dv = Checks.perNeuron(owner, "dv", b.dv, n);
    vth = Checks.perNeuron(owner, "vth", b.vth, n);
    vthLo = Checks.perNeuron(owner, "vth_lo", b.vthLo, n);
    biasMant = Checks.perNeuron(owner, "bias_mant", b.biasMant, n);
    biasExp = Checks.perNeuron(owner, "bias_exp", b.biasExp, n);
    refractory = Checks.perNeuron(owner, "refractory", b.refractory, n);
    resetMode = Checks.perNeuron(owner, "reset_mode", b.resetMode, n);
    kind = Checks.perNeuron(owner, "kind", b.kind, n);
    resetInterval = Checks.perNeuron(owner, "reset_interval", b.resetInterval, n);
    resetOffset = Checks.perNeuron(owner, "reset_offset", b.resetOffset, n);
    uInit = Checks.perNeuron(owner, "u_init", b.uInit, n);
    vInit = Checks.perNeuron(owner, "v_init", b.vInit, n);
    Checks.atLeast(owner, "refractory", refractory, 0);
    Checks.atLeast(owner, "reset_interval", resetInterval, 0);
    Checks.atLeast(owner, "vth", vth, 0);
    Checks.atLeast(owner, "du", du, -1);
    Checks.atLeast(owner, "dv", dv, 0);
    for (int i = 0; i < n; i++) {
      // The same rule on every chip (ChipSpec.resetOffsetRange): checked here, where the neuron
      // can still be named, so that no compile emits an offset the image validator refuses.
      if (resetInterval[i] > 0
          && !ChipSpec.resetOffsetRange(resetInterval[i]).contains(resetOffset[i])) {
        throw new QuenchException(owner + " neuron " + i + ": reset_offset " + resetOffset[i]
            + " is outside " + ChipSpec.resetOffsetRange(resetInterval[i]) + " for reset_interval "
            + resetInterval[i] + " (-1 never resets; docs/chip-semantics.md#periodic-reset)");
      }
    }
  }

  /** A builder for {@code size} neurons: LIF, reset to zero, no refractory, no periodic reset. */
  public static Builder builder(int size) {
    return new Builder(size);
  }

  @Override
  public int size() {
    return du.length;
  }

  public int du(int i) {
    return du[i];
  }

  public int dv(int i) {
    return dv[i];
  }

  public int vth(int i) {
    return vth[i];
  }

  public int vthLo(int i) {
    return vthLo[i];
  }

  public int biasMant(int i) {
    return biasMant[i];
  }

  public int biasExp(int i) {
    return biasExp[i];
  }

  public int refractory(int i) {
    return refractory[i];
  }

  public ResetMode resetMode(int i) {
    return resetMode[i];
  }

  public NeuronKind kind(int i) {
    return kind[i];
  }

  public int resetInterval(int i) {
    return resetInterval[i];
  }

  public int resetOffset(int i) {
    return resetOffset[i];
  }

  public int uInit(int i) {
    return uInit[i];
  }

  public int vInit(int i) {
    return vInit[i];
  }

  public int[] biasMant() {
    return biasMant.clone();
  }

  /** A copy of every neuron's current decay. */
  public int[] du() {
    return du.clone();
  }

  /** A copy of every neuron's voltage decay. */
  public int[] dv() {
    return dv.clone();
  }

  /** A copy of every neuron's threshold mantissa. */
  public int[] vth() {
    return vth.clone();
  }

  /** A builder pre-filled with this population's values (for passes that change a few). */
  public Builder toBuilder() {
    Builder b = new Builder(size());
    b.du = du.clone();
    b.dv = dv.clone();
    b.vth = vth.clone();
    b.vthLo = vthLo.clone();
    b.biasMant = biasMant.clone();
    b.biasExp = biasExp.clone();
    b.refractory = refractory.clone();
    b.resetMode = resetMode.clone();
    b.kind = kind.clone();
    b.resetInterval = resetInterval.clone();
    b.resetOffset = resetOffset.clone();
    b.uInit = uInit.clone();
    b.vInit = vInit.clone();
    return b;
  }

  /**
   * Collects parameters; per-neuron arrays or {@code all*} for one value everywhere. Defaults: all
   * integers 0 except as noted on {@link FixedNeurons#builder(int)}; du, dv and vth must be set.
   */
  public static final class Builder {
    private final int size;
    private int[] du;
    private int[] dv;
    private int[] vth;
    private int[] vthLo;
    private int[] biasMant;
    private int[] biasExp;
    private int[] refractory;
    private ResetMode[] resetMode;
    private NeuronKind[] kind;
    private int[] resetInterval;
    private int[] resetOffset;
    private int[] uInit;
    private int[] vInit;

    private Builder(int size) {
      if (size <= 0) {
        throw new org.quench.hal.QuenchException("fixed-point neurons need a positive size, got " + size);
      }
      this.size = size;
      vthLo = new int[size];
      biasMant = new int[size];
      biasExp = new int[size];
      refractory = new int[size];
      resetMode = new ResetMode[size];
      Arrays.fill(resetMode, ResetMode.TO_ZERO);
      kind = new NeuronKind[size];
      Arrays.fill(kind, NeuronKind.LIF);
      resetInterval = new int[size];
      resetOffset = new int[size];
      uInit = new int[size];
      vInit = new int[size];
    }

    public Builder du(int[] v) {
      du = v;
      return this;
    }

    public Builder dv(int[] v) {
      dv = v;
      return this;
    }

    public Builder vth(int[] v) {
      vth = v;
      return this;
    }

    public Builder vthLo(int[] v) {
      vthLo = v;
      return this;
    }

    public Builder biasMant(int[] v) {
      biasMant = v;
      return this;
    }

    public Builder biasExp(int[] v) {
      biasExp = v;
      return this;
    }

    public Builder refractory(int[] v) {
      refractory = v;
      return this;
    }

    public Builder resetMode(ResetMode[] v) {
      resetMode = v;
      return this;
    }

    public Builder kind(NeuronKind[] v) {
      kind = v;
      return this;
    }

    public Builder resetInterval(int[] v) {
      resetInterval = v;
      return this;
    }

    public Builder resetOffset(int[] v) {
      resetOffset = v;
      return this;
    }

    public Builder uInit(int[] v) {
      uInit = v;
      return this;
    }

    public Builder vInit(int[] v) {
      vInit = v;
      return this;
    }

    public Builder allDu(int v) {
      return du(Checks.filled(size, v));
    }

    public Builder allDv(int v) {
      return dv(Checks.filled(size, v));
    }

    public Builder allVth(int v) {
      return vth(Checks.filled(size, v));
    }

    public Builder allBiasExp(int v) {
      return biasExp(Checks.filled(size, v));
    }

    public Builder allRefractory(int v) {
      return refractory(Checks.filled(size, v));
    }

    public Builder allResetInterval(int v) {
      return resetInterval(Checks.filled(size, v));
    }

    public Builder allResetOffset(int v) {
      return resetOffset(Checks.filled(size, v));
    }

    public Builder allKind(NeuronKind v) {
      NeuronKind[] a = new NeuronKind[size];
      Arrays.fill(a, v);
      return kind(a);
    }

    public Builder allResetMode(ResetMode v) {
      ResetMode[] a = new ResetMode[size];
      Arrays.fill(a, v);
      return resetMode(a);
    }

    /** Validates for the population named {@code owner} (used in error messages). */
    public FixedNeurons build(String owner) {
      return new FixedNeurons(this, "population '" + owner + "'");
    }
  }
}
