package org.quench.hal.rpc;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.BiasChangeBatch;
import org.quench.hal.proto.PortEventBatch;
import org.quench.hal.proto.PortSpikes;
import org.quench.hal.proto.ProbeKindValue;
import org.quench.hal.proto.ProbeSpec;
import org.quench.hal.proto.ProbeTrace;
import org.quench.hal.proto.RunOutput;
import org.quench.hal.proto.StepBatch;

/** Conversions between the Device SPI's values and the board protocol's messages, both ways. */
final class BoardCodec {
  private BoardCodec() {}

  static ProbeSpec probe(Probe p) {
    ProbeKindValue kind = switch (p.kind()) {
      case U -> ProbeKindValue.PROBE_U;
      case V -> ProbeKindValue.PROBE_V;
      case SPIKES -> ProbeKindValue.PROBE_SPIKES;
    };
    return ProbeSpec.newBuilder().setKind(kind).setPopulation(p.population())
        .setFirst(p.first()).setCount(p.count()).build();
  }

  /** The probe a message names; INVALID_ARGUMENT when it names none. */
  static Probe probe(ProbeSpec s) {
    ProbeKind kind = switch (s.getKind()) {
      case PROBE_U -> ProbeKind.U;
      case PROBE_V -> ProbeKind.V;
      case PROBE_SPIKES -> ProbeKind.SPIKES;
      default -> throw invalid("probe of population '" + s.getPopulation()
          + "' has no kind; use PROBE_U, PROBE_V or PROBE_SPIKES");
    };
    if (s.getFirst() < 0 || s.getCount() < -1) {
      throw invalid("probe of population '" + s.getPopulation() + "' has a negative range");
    }
    try {
      return new Probe(kind, s.getPopulation(), s.getFirst(), s.getCount());
    } catch (QuenchException e) {
      throw invalid(e.getMessage());
    }
  }

  /**
   * The part of {@code s} that falls in steps {@code [from, from + steps)}, with steps made
   * relative to {@code from}.
   */
  static StepBatch batch(Stimulus s, int from, int steps) {
    StepBatch.Builder b = StepBatch.newBuilder().setSteps(steps);
    int end = from + steps;
    for (Stimulus.PortEvents e : s.events().values()) {
      int lo = lowerBound(e.steps(), from);
      int hi = lowerBound(e.steps(), end);
      if (lo == hi) {
        continue;
      }
      PortEventBatch.Builder p = PortEventBatch.newBuilder().setPort(e.port());
      boolean allOnes = true;
      for (int i = lo; i < hi; i++) {
        p.addSteps(e.steps()[i] - from).addIndices(e.indices()[i]);
        allOnes &= e.payloads()[i] == 1;
      }
      if (!allOnes) {
        for (int i = lo; i < hi; i++) {
          p.addPayloads(e.payloads()[i]);
        }
      }
      b.addEvents(p);
    }
    for (Stimulus.BiasChange c : s.biasChanges()) {
      // A zero-step stimulus may still carry bias changes at step 0; they go with the batch at 0.
      boolean inside = c.step() >= from && (c.step() < end || (steps == 0 && c.step() == from));
      if (inside) {
        BiasChangeBatch.Builder bc = BiasChangeBatch.newBuilder().setStep(c.step() - from)
            .setPopulation(c.population());
        for (int v : c.biasMant()) {
          bc.addBiasMant(v);
        }
        b.addBiasChanges(bc);
      }
    }
    return b.build();
  }

  /** The stimulus a batch describes; INVALID_ARGUMENT for inconsistent arrays or steps. */
  static Stimulus stimulus(StepBatch b) {
    int steps = b.getSteps();
    if (steps < 0) {
      throw invalid("a batch of " + Integer.toUnsignedString(steps) + " steps is too long");
    }
    try {
      Stimulus.Builder s = Stimulus.builder(steps);
      for (PortEventBatch p : b.getEventsList()) {
        int n = p.getStepsCount();
        if (p.getIndicesCount() != n || (p.getPayloadsCount() != 0 && p.getPayloadsCount() != n)) {
          throw invalid("events of port '" + p.getPort() + "': " + n + " steps, "
              + p.getIndicesCount() + " indices and " + p.getPayloadsCount()
              + " payloads; steps and indices must pair up, payloads be absent or pair up too");
        }
        for (int i = 0; i < n; i++) {
          int step = p.getSteps(i);
          int index = p.getIndices(i);
          if (step < 0 || index < 0) {
            throw invalid("event " + i + " of port '" + p.getPort() + "' has a step or index"
                + " beyond 2^31");
          }
          s.payload(step, p.getPort(), index, p.getPayloadsCount() == 0 ? 1 : p.getPayloads(i));
        }
      }
      for (BiasChangeBatch c : b.getBiasChangesList()) {
        int[] mant = new int[c.getBiasMantCount()];
        for (int i = 0; i < mant.length; i++) {
          mant[i] = c.getBiasMant(i);
        }
        s.bias(c.getStep(), c.getPopulation(), mant);
      }
      return s.build();
    } catch (QuenchException e) {
      throw invalid(e.getMessage());
    }
  }

  /** One batch's answer; traces in the order of {@code probes} (the order they were attached). */
  static RunOutput output(long batch, RunResult r, List<Probe> probes) {
    RunOutput.Builder o = RunOutput.newBuilder().setBatch(batch).setFirstStep(r.firstStep())
        .setSteps(r.steps());
    for (Map.Entry<String, RunResult.SpikeEvents> e : r.outputs().entrySet()) {
      RunResult.SpikeEvents ev = e.getValue();
      PortSpikes.Builder p = PortSpikes.newBuilder().setPort(e.getKey()).setWidth(ev.width());
      boolean allOnes = true;
      for (int i = 0; i < ev.count(); i++) {
        p.addSteps(ev.steps()[i]).addIndices(ev.indices()[i]);
        allOnes &= ev.values()[i] == 1;
      }
      if (!allOnes) {
        for (int v : ev.values()) {
          p.addValues(v);
        }
      }
      o.addOutputs(p);
    }
    for (Probe p : probes) {
      RunResult.Trace trace = r.trace(p);
      ProbeTrace.Builder t = ProbeTrace.newBuilder().setProbe(probe(p)).setWidth(trace.width());
      for (int v : trace.values()) {
        t.addValues(v);
      }
      o.addTraces(t);
    }
    return o.build();
  }

  /**
   * Joins the outputs of consecutive batches into one run's result; {@code probes} are the
   * client's own probe objects, in attach order, so results are keyed as the caller expects.
   */
  static RunResult merge(List<RunOutput> parts, List<Probe> probes) {
    int total = 0;
    for (RunOutput o : parts) {
      total += o.getSteps();
    }
    long first = parts.isEmpty() ? 0 : parts.get(0).getFirstStep();
    Map<String, int[][]> spikes = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, Integer> widths = new LinkedHashMap<>();
    Map<Probe, int[]> values = new LinkedHashMap<>();
    Map<Probe, Integer> traceWidths = new LinkedHashMap<>();
    int offset = 0;
    for (RunOutput o : parts) {
      for (PortSpikes p : o.getOutputsList()) {
        int n = p.getStepsCount();
        widths.putIfAbsent(p.getPort(), p.getWidth());
        int[][] a = spikes.computeIfAbsent(p.getPort(), k -> new int[3][0]);
        int have = counts.getOrDefault(p.getPort(), 0);
        if (have + n > a[0].length) {
          int cap = Math.max(have + n, a[0].length * 2);
          for (int k = 0; k < 3; k++) {
            a[k] = Arrays.copyOf(a[k], cap);
          }
        }
        for (int i = 0; i < n; i++) {
          a[0][have + i] = p.getSteps(i) + offset;
          a[1][have + i] = p.getIndices(i);
          a[2][have + i] = p.getValuesCount() == 0 ? 1 : p.getValues(i);
        }
        counts.put(p.getPort(), have + n);
      }
      for (int ti = 0; ti < o.getTracesCount(); ti++) {
        ProbeTrace t = o.getTraces(ti);
        // The board answers in the order the probes were sent; key by the caller's own objects.
        Probe key = ti < probes.size() && o.getTracesCount() == probes.size()
            ? probes.get(ti) : probe(t.getProbe());
        traceWidths.putIfAbsent(key, t.getWidth());
        int[] v = values.computeIfAbsent(key, k -> new int[0]);
        int at = v.length;
        v = Arrays.copyOf(v, at + t.getValuesCount());
        for (int i = 0; i < t.getValuesCount(); i++) {
          v[at + i] = t.getValues(i);
        }
        values.put(key, v);
      }
      offset += o.getSteps();
    }
    Map<String, RunResult.SpikeEvents> outputs = new LinkedHashMap<>();
    for (Map.Entry<String, int[][]> e : spikes.entrySet()) {
      int n = counts.get(e.getKey());
      int[][] a = e.getValue();
      outputs.put(e.getKey(), new RunResult.SpikeEvents(widths.get(e.getKey()),
          Arrays.copyOf(a[0], n), Arrays.copyOf(a[1], n), Arrays.copyOf(a[2], n)));
    }
    Map<Probe, RunResult.Trace> traces = new LinkedHashMap<>();
    List<Probe> order = new ArrayList<>(probes);
    for (Probe p : values.keySet()) {
      if (!order.contains(p)) {
        order.add(p);
      }
    }
    for (Probe p : order) {
      int[] v = values.get(p);
      if (v != null) {
        traces.put(p, new RunResult.Trace(p, traceWidths.get(p), v));
      }
    }
    return new RunResult(total, first, outputs, traces);
  }

  private static int lowerBound(int[] sorted, int key) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  static io.grpc.StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }
}
