package org.quench.runtime.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quench.board.BoardCodec;
import org.quench.board.proto.BiasChangeBatch;
import org.quench.board.proto.PortEventBatch;
import org.quench.board.proto.PortSpikes;
import org.quench.board.proto.ProbeTrace;
import org.quench.board.proto.RecordedRun;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.runtime.session.Session;

/**
 * Re-runs a recorded image and stimulus on another device and compares it with the trace step by
 * step, stopping at the first difference. Within a step the order of comparison is: the probes in
 * recorded order (neuron by neuron), then the output ports in image order.
 */
public final class Replay {
  /**
   * What a replay found.
   *
   * @param steps steps compared (all of the trace's when identical)
   * @param divergence the first difference, or null when identical
   */
  public record Outcome(long steps, Divergence divergence) {
    public boolean identical() {
      return divergence == null;
    }
  }

  private Replay() {}

  /** Loads the trace's image on the session's device, replays it and compares. */
  public static Outcome replay(RecordedRun trace, Session session) {
    String hash = Recording.imageSha256(trace.getImage());
    if (!hash.equals(trace.getImageSha256())) {
      throw new QuenchException("trace image does not match its recorded SHA-256 (" + hash + " vs "
          + trace.getImageSha256() + "); the trace was altered, record it again");
    }
    session.load(trace.getImage());
    List<Probe> probes = new ArrayList<>();
    long steps = trace.getSteps();
    if (steps < 0 || steps > Recording.MAX_STEPS) {
      throw new QuenchException("trace claims " + Long.toUnsignedString(steps) + " steps; a trace"
          + " holds at most " + Recording.MAX_STEPS + "; the trace is inconsistent");
    }
    for (ProbeTrace p : trace.getProbesList()) {
      Probe probe = BoardCodec.probe(p.getProbe());
      long expected = (long) p.getWidth() * steps;
      if (p.getValuesCount() != expected) {
        throw new QuenchException("trace probe " + probe + " holds " + p.getValuesCount()
            + " values, expected " + expected + "; the trace is inconsistent");
      }
      session.probe(probe);
      probes.add(probe);
    }
    int chunk = trace.getChunkSteps() > 0 ? trace.getChunkSteps() : Session.DEFAULT_CHUNK_STEPS;
    List<PortEventBatch> in = trace.getInputsList();
    int[] nextIn = new int[in.size()];
    for (PortEventBatch e : in) {
      if (e.getIndicesCount() != e.getStepsCount()
          || (e.getPayloadsCount() != 0 && e.getPayloadsCount() != e.getStepsCount())) {
        throw new QuenchException("trace input port '" + e.getPort() + "' has " + e.getStepsCount()
            + " steps, " + e.getIndicesCount() + " indices and " + e.getPayloadsCount()
            + " payloads; the trace is inconsistent");
      }
    }
    Cursor[] out = new Cursor[trace.getOutputsCount()];
    for (int i = 0; i < out.length; i++) {
      PortSpikes e = trace.getOutputs(i);
      if (e.getIndicesCount() != e.getStepsCount()
          || (e.getValuesCount() != 0 && e.getValuesCount() != e.getStepsCount())) {
        throw new QuenchException("trace output port '" + e.getPort() + "' has " + e.getStepsCount()
            + " steps, " + e.getIndicesCount() + " indices and " + e.getValuesCount()
            + " values; the trace is inconsistent");
      }
      out[i] = new Cursor(e);
    }
    int bias = 0;
    for (long done = 0; done < steps; ) {
      int n = (int) Math.min(chunk, steps - done);
      Stimulus.Builder s = Stimulus.builder(n);
      for (int k = 0; k < in.size(); k++) {
        PortEventBatch e = in.get(k);
        for (; nextIn[k] < e.getStepsCount() && step(e.getSteps(nextIn[k])) < done + n; nextIn[k]++) {
          int i = nextIn[k];
          s.payload((int) (step(e.getSteps(i)) - done), e.getPort(), e.getIndices(i),
              e.getPayloadsCount() == 0 ? 1 : e.getPayloads(i));
        }
      }
      for (; bias < trace.getBiasChangesCount()
          && step(trace.getBiasChanges(bias).getStep()) < done + n; bias++) {
        BiasChangeBatch b = trace.getBiasChanges(bias);
        s.bias((int) (step(b.getStep()) - done), b.getPopulation(),
            b.getBiasMantList().stream().mapToInt(Integer::intValue).toArray());
      }
      RunResult result = session.run(s.build());
      Divergence d = compare(trace, probes, out, result, done);
      if (d != null) {
        return new Outcome(d.step() + 1, d);
      }
      done += n;
    }
    return new Outcome(steps, null);
  }

  /** A step number as the board's messages store it (unsigned 32 bits). */
  private static long step(int stored) {
    return Integer.toUnsignedLong(stored);
  }

  private static Divergence compare(RecordedRun trace, List<Probe> probes, Cursor[] out,
      RunResult result, long first) {
    int[][][] dense = new int[out.length][][];
    for (int o = 0; o < out.length; o++) {
      PortSpikes e = out[o].events;
      RunResult.SpikeEvents got = result.outputs().get(e.getPort());
      if (got == null) {
        throw new QuenchException("replay device gave no output port '" + e.getPort()
            + "' that the trace recorded");
      }
      dense[o] = got.dense(result.steps());
    }
    for (int k = 0; k < result.steps(); k++) {
      long step = first + k;
      for (int p = 0; p < probes.size(); p++) {
        ProbeTrace rec = trace.getProbes(p);
        RunResult.Trace got = result.trace(probes.get(p));
        int w = rec.getWidth();
        if (got.width() != w) {
          throw new QuenchException("replay device recorded " + got.width() + " neurons for probe "
              + probes.get(p) + ", the trace " + w);
        }
        for (int i = 0; i < w; i++) {
          int want = rec.getValues((int) (step * w + i));
          int have = got.at(k, i);
          if (want != have) {
            Probe probe = probes.get(p);
            return new Divergence(step, probe.kind().name().toLowerCase(Locale.ROOT),
                "population " + probe.population(), probe.first() + i, want, have);
          }
        }
      }
      for (int o = 0; o < out.length; o++) {
        Divergence d = comparePort(out[o], dense[o][k], step);
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }

  /** Compares one step of a port; advances the cursor past the step's recorded events. */
  private static Divergence comparePort(Cursor c, int[] replayed, long step) {
    PortSpikes e = c.events;
    int[] recorded = new int[replayed.length];
    for (; c.next < e.getStepsCount() && step(e.getSteps(c.next)) <= step; c.next++) {
      if (step(e.getSteps(c.next)) < step) {
        continue;
      }
      int i = e.getIndices(c.next);
      if (i < 0 || i >= recorded.length) {
        throw new QuenchException("trace output port '" + e.getPort() + "' has a spike at index " + i
            + " outside its width " + recorded.length + "; the trace is inconsistent");
      }
      recorded[i] = e.getValuesCount() == 0 ? 1 : e.getValues(c.next);
    }
    for (int i = 0; i < recorded.length; i++) {
      if (recorded[i] != replayed[i]) {
        return new Divergence(step, "spike", "output port " + e.getPort(), i, recorded[i],
            replayed[i]);
      }
    }
    return null;
  }

  /** A read position in a step-sorted event list. */
  private static final class Cursor {
    final PortSpikes events;
    int next;

    Cursor(PortSpikes events) {
      this.events = events;
    }
  }

}
