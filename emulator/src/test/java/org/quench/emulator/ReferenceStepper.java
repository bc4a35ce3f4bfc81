package org.quench.emulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.ResetMode;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * A deliberately plain model of the chip, written straight from docs/chip-semantics.md and the
 * settled step order, for differential testing. Long arithmetic with explicit int32 wraps where
 * numpy's int32 wraps, dense loops, no packing, no threads, nothing shared with the emulator's
 * code. Only the Loihi constants are used (24-bit state, 12-bit decays, shifts of 6, 8-bit weight
 * mantissa).
 */
final class ReferenceStepper {
  private final ChipImage image;
  private final int cores;
  private final long[][] u;
  private final long[][] v;
  private final int[][] refractoryLeft;
  private final long[][] biasMant;
  private final long[][][] prepared; // [core][group][synapse]
  private final Map<Long, long[][]> pending = new HashMap<>(); // step -> [core][neuron] activation
  private long time;

  /** The state after each step of a run: [step][core][neuron]. */
  record Trace(int[][][] u, int[][][] v, int[][][] spikes) {}

  ReferenceStepper(ChipImage image) {
    this.image = image;
    cores = image.getCoresCount();
    u = new long[cores][];
    v = new long[cores][];
    refractoryLeft = new int[cores][];
    biasMant = new long[cores][];
    prepared = new long[cores][][];
    for (int c = 0; c < cores; c++) {
      Core core = image.getCores(c);
      prepared[c] = new long[core.getAxonGroupsCount()][];
      for (int g = 0; g < core.getAxonGroupsCount(); g++) {
        AxonGroup group = core.getAxonGroups(g);
        prepared[c][g] = new long[group.getWeightCount()];
        for (int s = 0; s < group.getWeightCount(); s++) {
          prepared[c][g][s] = prepare(group, group.getWeight(s));
        }
      }
    }
    reset();
  }

  void reset() {
    for (int c = 0; c < cores; c++) {
      Core core = image.getCores(c);
      int n = core.getNeuronCount();
      u[c] = new long[n];
      v[c] = new long[n];
      refractoryLeft[c] = new int[n];
      biasMant[c] = new long[n];
      for (int i = 0; i < n; i++) {
        u[c][i] = core.getUInitCount() == 0 ? 0 : core.getUInit(i);
        v[c][i] = core.getVInitCount() == 0 ? 0 : core.getVInit(i);
        biasMant[c][i] = core.getBiasMant(i);
      }
    }
    pending.clear();
    time = 0;
  }

  static SignMode signMode(AxonGroup g) {
    if (g.getSignMode() != SignMode.SIGN_MODE_AUTO) {
      return g.getSignMode();
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int w : g.getWeightList()) {
      min = Math.min(min, w);
      max = Math.max(max, w);
    }
    if (g.getWeightCount() == 0 || min >= 0) {
      return SignMode.EXCITATORY;
    }
    return max <= 0 ? SignMode.INHIBITORY : SignMode.MIXED;
  }

  /** Clip to 8 bits by sign mode, then drop 8 - nwb (+1 for MIXED) low bits with a floor. */
  static long prepare(AxonGroup g, long w) {
    if (g.getKind() == ConnectionKind.CONV) {
      return w;
    }
    SignMode mode = signMode(g);
    long clipped;
    if (mode == SignMode.MIXED) {
      clipped = Math.min(255, Math.max(-256, w));
    } else if (mode == SignMode.EXCITATORY) {
      clipped = Math.min(255, Math.max(0, w));
    } else {
      clipped = -Math.min(255, Math.max(0, -w));
    }
    long drop = 8 - g.getNumWeightBits() + (mode == SignMode.MIXED ? 1 : 0);
    long unit = 1L << drop;
    if (mode == SignMode.INHIBITORY) {
      return -(Math.floorDiv(-clipped, unit) * unit);
    }
    return Math.floorDiv(clipped, unit) * unit;
  }

  static long wrap32(long x) {
    return (int) x;
  }

  static long truncShift12(long x) {
    // sign(x) * (|x| >> 12)
    return x < 0 ? -((-x) >> 12) : x >> 12;
  }

  private int coreIndex(CoreAddress a) {
    for (int c = 0; c < cores; c++) {
      CoreAddress b = image.getCores(c).getAddress();
      if (b.getChip() == a.getChip() && b.getCore() == a.getCore()) {
        return c;
      }
    }
    throw new IllegalArgumentException("no core " + a);
  }

  Trace run(Stimulus stimulus) {
    int steps = stimulus.steps();
    int[][][] tu = new int[steps][cores][];
    int[][][] tv = new int[steps][cores][];
    int[][][] ts = new int[steps][cores][];
    for (int k = 0; k < steps; k++) {
      long t = time + k + 1;
      // (1) bias overrides of this step.
      for (Stimulus.BiasChange b : stimulus.biasChanges()) {
        if (b.step() == k) {
          Symbol sym = symbol(b.population());
          for (NeuronRange r : sym.getRangesList()) {
            int c = coreIndex(r.getCore());
            for (int j = 0; j < r.getCount(); j++) {
              biasMant[c][r.getNeuronFirst() + j] = b.biasMant()[r.getOffset() + j];
            }
          }
        }
      }
      // (2) neurons.
      long[][] act = pending.remove(t);
      int[][] spikes = new int[cores][];
      for (int c = 0; c < cores; c++) {
        Core core = image.getCores(c);
        int n = core.getNeuronCount();
        spikes[c] = new int[n];
        for (int i = 0; i < n; i++) {
          DecayProfile dp = core.getDecayProfiles(core.getDecayIndex(i));
          ThresholdProfile tp = core.getThresholdProfiles(core.getThresholdIndex(i));
          long a = act == null ? 0 : act[c][i];
          long exp = core.getBiasExpCount() == 0 ? 0 : core.getBiasExp(i);
          long effBias = exp >= 0 ? biasMant[c][i] * (1L << exp) : Math.floorDiv(biasMant[c][i], 1L << -exp);
          long un = wrap32(truncShift12(u[c][i] * (4096 - (dp.getDu() + 1))) + wrap32(a << 6));
          if (un > (1L << 23)) {
            un -= 1L << 24;
          } else if (un <= -(1L << 23)) {
            un += 1L << 24;
          }
          u[c][i] = un;
          if (refractoryLeft[c][i] > 0) {
            refractoryLeft[c][i]--;
            v[c][i] = 0;
            continue;
          }
          long vn = wrap32(truncShift12(v[c][i] * (4096 - dp.getDv())) + un + effBias);
          vn = Math.max(-((1L << 23) - 1), Math.min((1L << 23) - 1, vn));
          long hi = wrap32((long) tp.getVth() << 6);
          long lo = wrap32((long) tp.getVthLo() << 6);
          int out = 0;
          if (tp.getKind() == NeuronKind.TERNARY_LIF && vn < lo) {
            out = -1;
          } else if (vn > hi) {
            out = 1;
          }
          if (out != 0) {
            if (dp.getResetMode() == ResetMode.RESET_BY_SUBTRACTION) {
              vn = wrap32(vn - (out > 0 ? hi : lo));
            } else {
              vn = 0;
            }
            refractoryLeft[c][i] = dp.getRefractory();
          }
          v[c][i] = vn;
          spikes[c][i] = out;
        }
        tu[k][c] = toInt(u[c]);
        tv[k][c] = toInt(v[c]);
        ts[k][c] = spikes[c].clone();
      }
      // (3) periodic reset at the end of the step (after the traces above were taken).
      for (int c = 0; c < cores; c++) {
        Core core = image.getCores(c);
        for (int i = 0; i < core.getNeuronCount(); i++) {
          DecayProfile dp = core.getDecayProfiles(core.getDecayIndex(i));
          if (dp.getResetInterval() > 0 && (t - 1) % dp.getResetInterval() == dp.getResetOffset()) {
            u[c][i] = 0;
            v[c][i] = 0;
            refractoryLeft[c][i] = 0;
          }
        }
      }
      // (4) route spikes and host events of this step.
      List<List<long[]>> events = new ArrayList<>(); // per core: {axon, payload}
      for (int c = 0; c < cores; c++) {
        events.add(new ArrayList<>());
      }
      for (int c = 0; c < cores; c++) {
        for (Route r : image.getCores(c).getRoutesList()) {
          int dest = coreIndex(r.getDest());
          for (int j = 0; j < r.getNeuronCount(); j++) {
            int s = spikes[c][r.getNeuronFirst() + j];
            if (s != 0) {
              events.get(dest).add(new long[] {r.getAxonFirst() + j, s});
            }
          }
        }
      }
      for (Stimulus.PortEvents pe : stimulus.events().values()) {
        InputPort port = inputPort(pe.port());
        for (int e = 0; e < pe.steps().length; e++) {
          if (pe.steps()[e] != k) {
            continue;
          }
          int index = pe.indices()[e];
          for (AxonRange r : port.getTargetsList()) {
            if (index >= r.getPortOffset() && index < r.getPortOffset() + r.getCount()) {
              events.get(coreIndex(r.getCore())).add(
                  new long[] {r.getAxonFirst() + index - r.getPortOffset(), pe.payloads()[e]});
            }
          }
        }
      }
      for (int c = 0; c < cores; c++) {
        Core core = image.getCores(c);
        int n = core.getNeuronCount();
        for (int g = 0; g < core.getAxonGroupsCount(); g++) {
          AxonGroup group = core.getAxonGroups(g);
          boolean graded = group.getNumMessageBits() > 0;
          long[][] sum = new long[64][n]; // [delay][target], int32 wrapping
          boolean any = false;
          for (long[] ev : events.get(c)) {
            long axon = ev[0];
            long payload = ev[1];
            if (axon < group.getAxonFirst() || axon >= group.getAxonFirst() + group.getAxonCount()
                || payload == 0) {
              continue;
            }
            int row = (int) (axon - group.getAxonFirst());
            for (int s = group.getRowPtr(row); s < group.getRowPtr(row + 1); s++) {
              int d = group.getDelayCount() == 0 ? 0 : group.getDelay(s);
              int target = group.getTarget(s);
              long w = prepared[c][g][s];
              sum[d][target] = wrap32(sum[d][target] + wrap32(graded ? w * payload : w));
              any = true;
            }
          }
          if (!any) {
            continue;
          }
          for (int d = 0; d < 64; d++) {
            for (int j = 0; j < n; j++) {
              long x = sum[d][j];
              long delivered;
              if (group.getKind() == ConnectionKind.CONV) {
                delivered = Math.floorMod(x + (1L << 23), 1L << 24) - (1L << 23);
              } else if (group.getWeightExp() >= 0) {
                delivered = wrap32(x << group.getWeightExp());
              } else {
                delivered = Math.floorDiv(x, 1L << -group.getWeightExp());
              }
              if (delivered != 0) {
                long[][] at = pending.computeIfAbsent(t + 1 + d, key -> newActivation());
                at[c][j] = wrap32(at[c][j] + delivered);
              }
            }
          }
        }
      }
    }
    time += steps;
    return new Trace(tu, tv, ts);
  }

  private long[][] newActivation() {
    long[][] a = new long[cores][];
    for (int c = 0; c < cores; c++) {
      a[c] = new long[image.getCores(c).getNeuronCount()];
    }
    return a;
  }

  private Symbol symbol(String name) {
    for (Symbol s : image.getSymbolsList()) {
      if (s.getPopulation().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(name);
  }

  private InputPort inputPort(String name) {
    for (InputPort p : image.getInputsList()) {
      if (p.getName().equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(name);
  }

  private static int[] toInt(long[] x) {
    int[] out = new int[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = (int) x[i];
    }
    return out;
  }
}
