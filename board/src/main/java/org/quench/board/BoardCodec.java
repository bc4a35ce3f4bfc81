package org.quench.board;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.board.proto.DeviceDescription;
import org.quench.hal.DeviceInfo;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.board.proto.BiasChangeBatch;
import org.quench.board.proto.PortEventBatch;
import org.quench.board.proto.PortSpikes;
import org.quench.board.proto.ProbeKindValue;
import org.quench.board.proto.ProbeSpec;
import org.quench.board.proto.ProbeTrace;
import org.quench.board.proto.RunOutput;
import org.quench.board.proto.StepBatch;

/**
 * Conversions between the Device SPI's values and the board protocol's messages, both ways. The
 * public part is what other writers of these messages need (a recorded trace, see
 * {@code org.quench.runtime.replay.Recording}, stores probes and devices as the board does).
 */
public final class BoardCodec {
  private BoardCodec() {}

  /** The message naming {@code p}. */
  public static ProbeSpec probe(Probe p) {
    ProbeKindValue kind = switch (p.kind()) {
      case U -> ProbeKindValue.PROBE_U;
      case V -> ProbeKindValue.PROBE_V;
      case SPIKES -> ProbeKindValue.PROBE_SPIKES;
    };
    return ProbeSpec.newBuilder().setKind(kind).setPopulation(p.population())
        .setFirst(p.first()).setCount(p.count()).build();
  }

  /**
   * The probe a message names.
   *
   * @throws QuenchException when it names none (no kind, a negative range); the board answers it
   *     as INVALID_ARGUMENT
   */
  public static Probe probe(ProbeSpec s) {
    ProbeKind kind = switch (s.getKind()) {
      case PROBE_U -> ProbeKind.U;
      case PROBE_V -> ProbeKind.V;
      case PROBE_SPIKES -> ProbeKind.SPIKES;
      default -> throw new QuenchException("probe of population '" + s.getPopulation()
          + "' has no kind; use PROBE_U, PROBE_V or PROBE_SPIKES");
    };
    if (s.getFirst() < 0 || s.getCount() < -1) {
      throw new QuenchException("probe of population '" + s.getPopulation()
          + "' has a negative range");
    }
    return new Probe(kind, s.getPopulation(), s.getFirst(), s.getCount());
  }

  /**
   * A device's identity as the board lists it; the caller adds the board's own name for it, and
   * whether it is leased. Null strings of {@code info} become empty ones.
   */
  public static DeviceDescription description(DeviceInfo info) {
    return DeviceDescription.newBuilder().setUri(text(info.uri())).setProvider(text(info.provider()))
        .setSpecName(text(info.specName())).setSpecHash(text(info.specHash()))
        .setSerial(text(info.serial())).setChips(info.chips()).putAllProperties(info.properties())
        .build();
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }

  /**
   * The part of {@code s} that falls in steps {@code [from, from + steps)}, with steps made
   * relative to {@code from}.
   */
  static StepBatch batch(Stimulus s, int from, int steps) {
    StepBatch.Builder b = StepBatch.newBuilder().setSteps(steps);
    int end = from + steps;
    for (Stimulus.PortEvents e : s.events().values()) {
      int lo = Stimulus.firstAtOrAfter(e.steps(), from);
      int hi = Stimulus.firstAtOrAfter(e.steps(), end);
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
      for (int v : ev.values()) {
        allOnes &= v == 1;
      }
      long bitmapBytes = ((long) r.steps() * ev.width() + 7) / 8;
      // A spike in the sparse form costs at least two bytes of varints.
      if (allOnes && bitmapBytes < 2L * ev.count()) {
        byte[] bits = new byte[(int) bitmapBytes];
        for (int i = 0; i < ev.count(); i++) {
          long bit = (long) ev.steps()[i] * ev.width() + ev.indices()[i];
          bits[(int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
        }
        o.addOutputs(p.setBitmap(com.google.protobuf.ByteString.copyFrom(bits)));
        continue;
      }
      for (int i = 0; i < ev.count(); i++) {
        p.addSteps(ev.steps()[i]).addIndices(ev.indices()[i]);
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
    Assembly a = new Assembly(probes);
    for (RunOutput o : parts) {
      a.add(o);
    }
    return a.result();
  }

  /**
   * Builds one run's result from its batches' outputs as they arrive, so a client decodes batch
   * k while the board runs batch k + 1.
   */
  static final class Assembly {
    private final List<Probe> probes;
    private final Map<String, SpikeColumns> spikes = new LinkedHashMap<>();
    private final Map<Probe, int[]> values = new LinkedHashMap<>();
    private final Map<Probe, Integer> traceWidths = new LinkedHashMap<>();
    private int total;
    private long first = -1;
    /** Batches added so far. */
    int batches;

    Assembly(List<Probe> probes) {
      this.probes = probes;
    }

    void add(RunOutput o) {
      batches++;
      if (first < 0) {
        first = o.getFirstStep();
      }
      int offset = total;
      for (PortSpikes p : o.getOutputsList()) {
        SpikeColumns c = spikes.computeIfAbsent(p.getPort(), k -> new SpikeColumns(p.getWidth()));
        if (!p.getBitmap().isEmpty()) {
          c.addBitmap(p, o.getSteps(), offset);
          continue;
        }
        int n = p.getStepsCount();
        if (p.getIndicesCount() != n || (p.getValuesCount() != 0 && p.getValuesCount() != n)) {
          throw invalid("spikes of port '" + p.getPort() + "' have unequal array lengths");
        }
        c.reserve(n);
        for (int i = 0; i < n; i++) {
          c.add(p.getSteps(i) + offset, p.getIndices(i), p.getValuesCount() == 0 ? 1 : p.getValues(i));
        }
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
      total += o.getSteps();
    }

    RunResult result() {
      Map<String, RunResult.SpikeEvents> outputs = new LinkedHashMap<>();
      for (Map.Entry<String, SpikeColumns> e : spikes.entrySet()) {
        outputs.put(e.getKey(), e.getValue().events());
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
      return new RunResult(total, Math.max(0, first), outputs, traces);
    }
  }

  /** One port's spikes as they accumulate over batches: growable parallel arrays. */
  private static final class SpikeColumns {
    final int width;
    int[] steps = new int[16];
    int[] indices = new int[16];
    int[] values = new int[16];
    int size;

    SpikeColumns(int width) {
      this.width = width;
    }

    void reserve(int more) {
      if (size + more > steps.length) {
        int cap = Math.max(size + more, steps.length * 2);
        steps = Arrays.copyOf(steps, cap);
        indices = Arrays.copyOf(indices, cap);
        values = Arrays.copyOf(values, cap);
      }
    }

    void add(int step, int index, int value) {
      steps[size] = step;
      indices[size] = index;
      values[size] = value;
      size++;
    }

    /** Appends a dense batch: bit (step * width + index) set = a spike of value 1. */
    void addBitmap(PortSpikes p, int batchSteps, int offset) {
      long bits = (long) batchSteps * width;
      com.google.protobuf.ByteString map = p.getBitmap();
      if (p.getWidth() != width || map.size() != (bits + 7) / 8 || p.getStepsCount() != 0) {
        throw invalid("bitmap of port '" + p.getPort() + "' holds " + map.size() + " bytes; "
            + batchSteps + " steps x " + p.getWidth() + " wide need " + (bits + 7) / 8);
      }
      int n = map.size();
      for (int i = 0; i < n; i++) {
        int b = map.byteAt(i) & 0xff;
        if (b == 0) {
          continue;
        }
        reserve(8);
        while (b != 0) {
          long bit = (long) i * 8 + Integer.numberOfTrailingZeros(b);
          b &= b - 1;
          if (bit < bits) {
            add((int) (bit / width) + offset, (int) (bit % width), 1);
          }
        }
      }
    }

    RunResult.SpikeEvents events() {
      return new RunResult.SpikeEvents(width, Arrays.copyOf(steps, size),
          Arrays.copyOf(indices, size), Arrays.copyOf(values, size));
    }
  }

  static io.grpc.StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  /** Longest error description a client gets back: requests must not be echoed whole. */
  static final int MAX_DESCRIPTION = 500;
}
