package org.quench.runtime.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.board.BoardCodec;
import org.quench.board.proto.BiasChangeBatch;
import org.quench.board.proto.PortEventBatch;
import org.quench.board.proto.PortSpikes;
import org.quench.board.proto.ProbeTrace;
import org.quench.board.proto.RecordedRun;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.session.InputSource;
import org.quench.runtime.session.RunSink;
import org.quench.runtime.session.Session;

/**
 * Records a run into a self-contained {@link RecordedRun}: the loaded image, the device's identity,
 * every input event and bias change the device was given, every output spike and every probed
 * value per step, in the board protocol's messages (trace.proto). The whole trace is held in memory
 * (protobuf messages stop at 2 GiB), so record runs of bounded size: steps × probed neurons × 4
 * bytes is the dominant term.
 */
public final class Recording {
  /** Steps are stored as the board's unsigned 32-bit step numbers. */
  static final long MAX_STEPS = 0xFFFF_FFFFL;

  private Recording() {}

  /**
   * Runs {@code steps} steps of {@code input} from a freshly loaded image and records them.
   *
   * @param session a session with the image loaded and no steps run since (time 0)
   * @param probes attached (and checked) here, in this order
   */
  public static RecordedRun record(Session session, InputSource input, long steps, List<Probe> probes) {
    if (steps < 0 || steps > MAX_STEPS) {
      throw new QuenchException("cannot record " + steps + " steps: a trace holds 0.."
          + MAX_STEPS + " steps");
    }
    if (session.time() != 0) {
      session.reset();
    }
    for (Probe p : probes) {
      session.probe(p);
    }
    ChipImage image = session.image();
    RecordedRun.Builder run = RecordedRun.newBuilder()
        .setImage(image)
        .setImageSha256(imageSha256(image))
        .setDevice(BoardCodec.description(session.device().info()))
        .setSteps(steps)
        .setChunkSteps(session.chunkSteps());
    Map<String, PortEventBatch.Builder> inputs = new LinkedHashMap<>();
    session.inputPorts().keySet().forEach(port ->
        inputs.put(port, PortEventBatch.newBuilder().setPort(port)));
    Map<String, PortSpikes.Builder> outputs = new LinkedHashMap<>();
    session.outputPorts().forEach((port, width) ->
        outputs.put(port, PortSpikes.newBuilder().setPort(port).setWidth(width)));
    List<ProbeTrace.Builder> traces = new ArrayList<>();
    for (Probe p : probes) {
      traces.add(ProbeTrace.newBuilder().setProbe(BoardCodec.probe(p)));
    }
    InputSource capturing = (first, n) -> {
      Stimulus s = input.chunk(first, n);
      for (Stimulus.PortEvents e : s.events().values()) {
        PortEventBatch.Builder b = inputs.computeIfAbsent(e.port(),
            port -> PortEventBatch.newBuilder().setPort(port));
        for (int i = 0; i < e.steps().length; i++) {
          b.addSteps((int) (first + e.steps()[i])).addIndices(e.indices()[i])
              .addPayloads(e.payloads()[i]);
        }
      }
      for (Stimulus.BiasChange c : s.biasChanges()) {
        BiasChangeBatch.Builder b = run.addBiasChangesBuilder()
            .setStep((int) (first + c.step())).setPopulation(c.population());
        for (int m : c.biasMant()) {
          b.addBiasMant(m);
        }
      }
      return s;
    };
    long[] done = {0};
    RunSink sink = chunk -> {
      for (Map.Entry<String, RunResult.SpikeEvents> e : chunk.outputs().entrySet()) {
        PortSpikes.Builder b = outputs.computeIfAbsent(e.getKey(),
            port -> PortSpikes.newBuilder().setPort(port).setWidth(e.getValue().width()));
        RunResult.SpikeEvents ev = e.getValue();
        for (int i = 0; i < ev.count(); i++) {
          b.addSteps((int) (done[0] + ev.steps()[i])).addIndices(ev.indices()[i])
              .addValues(ev.values()[i]);
        }
      }
      for (int k = 0; k < probes.size(); k++) {
        RunResult.Trace t = chunk.trace(probes.get(k));
        ProbeTrace.Builder b = traces.get(k).setWidth(t.width());
        for (int v : t.values()) {
          b.addValues(v);
        }
      }
      done[0] += chunk.steps();
    };
    session.run(steps, capturing, sink);
    inputs.values().forEach(run::addInputs);
    outputs.values().forEach(run::addOutputs);
    traces.forEach(run::addProbes);
    return run.build();
  }

  /** Lower-case hex SHA-256 of the image file bytes ({@link ChipImages#toBytes}), as stored in a trace. */
  public static String imageSha256(ChipImage image) {
    return ChipImages.sha256(ChipImages.toBytes(image));
  }
}
