package org.quench.runtime.replay;

import java.util.ArrayList;
import java.util.List;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.RecordedBiasChange;
import org.quench.hal.proto.RecordedPortEvents;
import org.quench.hal.proto.RecordedProbe;
import org.quench.hal.proto.RecordedRun;
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
    for (RecordedProbe p : trace.getProbesList()) {
      long expected = (long) p.getWidth() * trace.getSteps();
      if (p.getValuesCount() != expected) {
        throw new QuenchException("trace probe " + p.getKind() + ":" + p.getPopulation() + " holds "
            + p.getValuesCount() + " values, expected " + expected + "; the trace is inconsistent");
      }
      Probe probe = new Probe(ProbeKind.parse(p.getKind()), p.getPopulation(), p.getFirst(),
          p.getWidth());
      session.probe(probe);
      probes.add(probe);
    }
    int chunk = trace.getChunkSteps() > 0 ? trace.getChunkSteps() : Session.DEFAULT_CHUNK_STEPS;
    Cursor[] in = new Cursor[trace.getInputsCount()];
    for (int i = 0; i < in.length; i++) {
      in[i] = new Cursor(trace.getInputs(i));
    }
    Cursor[] out = new Cursor[trace.getOutputsCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = new Cursor(trace.getOutputs(i));
    }
    int bias = 0;
    for (long done = 0; done < trace.getSteps(); ) {
      int n = (int) Math.min(chunk, trace.getSteps() - done);
      Stimulus.Builder s = Stimulus.builder(n);
      for (Cursor c : in) {
        for (; c.next < c.events.getStepsCount() && c.events.getSteps(c.next) < done + n; c.next++) {
          s.payload((int) (c.events.getSteps(c.next) - done), c.events.getPort(),
              c.events.getIndices(c.next), c.events.getValues(c.next));
        }
      }
      for (; bias < trace.getBiasChangesCount() && trace.getBiasChanges(bias).getStep() < done + n;
          bias++) {
        RecordedBiasChange b = trace.getBiasChanges(bias);
        s.bias((int) (b.getStep() - done), b.getPopulation(),
            b.getBiasMantList().stream().mapToInt(Integer::intValue).toArray());
      }
      RunResult result = session.run(s.build());
      Divergence d = compare(trace, probes, out, result, done);
      if (d != null) {
        return new Outcome(d.step() + 1, d);
      }
      done += n;
    }
    return new Outcome(trace.getSteps(), null);
  }

  private static Divergence compare(RecordedRun trace, List<Probe> probes, Cursor[] out,
      RunResult result, long first) {
    int[][][] dense = new int[out.length][][];
    for (int o = 0; o < out.length; o++) {
      RecordedPortEvents e = out[o].events;
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
        RecordedProbe rec = trace.getProbes(p);
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
            return new Divergence(step, rec.getKind(), "population " + rec.getPopulation(),
                rec.getFirst() + i, want, have);
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
    RecordedPortEvents e = c.events;
    int[] recorded = new int[replayed.length];
    for (; c.next < e.getStepsCount() && e.getSteps(c.next) <= step; c.next++) {
      if (e.getSteps(c.next) < step) {
        continue;
      }
      int i = e.getIndices(c.next);
      if (i < 0 || i >= recorded.length) {
        throw new QuenchException("trace output port '" + e.getPort() + "' has a spike at index " + i
            + " outside its width " + recorded.length + "; the trace is inconsistent");
      }
      recorded[i] = e.getValues(c.next);
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
    final RecordedPortEvents events;
    int next;

    Cursor(RecordedPortEvents events) {
      this.events = events;
    }
  }

}
