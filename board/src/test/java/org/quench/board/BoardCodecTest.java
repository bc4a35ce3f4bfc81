package org.quench.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.board.proto.PortEventBatch;
import org.quench.board.proto.RunOutput;
import org.quench.board.proto.StepBatch;

class BoardCodecTest {
  /** Random spikes of one port over {@code steps}: sorted by step then index. */
  private static RunResult.SpikeEvents spikes(long seed, int steps, int width, int permille,
      boolean ternary) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<int[]> ev = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      for (int i = 0; i < width; i++) {
        if (rnd.nextInt(1000) < permille) {
          ev.add(new int[] {t, i, ternary && rnd.nextBoolean() ? -1 : 1});
        }
      }
    }
    int[][] cols = new int[3][ev.size()];
    for (int k = 0; k < ev.size(); k++) {
      for (int c = 0; c < 3; c++) {
        cols[c][k] = ev.get(k)[c];
      }
    }
    return new RunResult.SpikeEvents(width, cols[0], cols[1], cols[2]);
  }

  private static RunResult result(long first, int steps, RunResult.SpikeEvents out) {
    return new RunResult(steps, first, Map.of("out", out), Map.of());
  }

  @Test
  void busyAndQuietAndTernaryOutputsSurviveSplittingIntoBatches() {
    for (int permille : new int[] {0, 5, 300, 1000}) {
      for (boolean ternary : new boolean[] {false, true}) {
        List<RunOutput> parts = new ArrayList<>();
        List<RunResult.SpikeEvents> whole = new ArrayList<>();
        int first = 0;
        for (int b = 0; b < 3; b++) {
          int steps = 7 + b; // widths and steps that do not fill whole bytes of a bitmap
          RunResult.SpikeEvents e = spikes(permille * 10L + b, steps, 13, permille, ternary);
          whole.add(e);
          parts.add(BoardCodec.output(b, result(first, steps, e), List.of()));
          first += steps;
        }
        if (permille == 1000 && !ternary) {
          assertFalse(parts.get(0).getOutputs(0).getBitmap().isEmpty(), "busy: dense form");
        }
        if (permille == 5 || ternary) {
          assertTrue(parts.get(0).getOutputs(0).getBitmap().isEmpty(), "quiet or ternary: sparse");
        }
        RunResult merged = BoardCodec.merge(parts, List.of());
        assertEquals(24, merged.steps());
        int[][] dense = merged.output("out").dense(24);
        int offset = 0;
        for (int b = 0; b < whole.size(); b++) {
          int[][] part = whole.get(b).dense(7 + b);
          for (int t = 0; t < part.length; t++) {
            assertArrayEquals(part[t], dense[offset + t], "p=" + permille + " t=" + (offset + t));
          }
          offset += part.length;
        }
      }
    }
  }

  @Test
  void aStimulusCutIntoBatchesKeepsEveryEventAndBiasChangeOnce() {
    Stimulus.Builder b = Stimulus.builder(25);
    for (int t = 0; t < 25; t += 3) {
      b.payload(t, "in", t % 5, t - 10).spike(t, "other", 1);
    }
    b.bias(0, "pop", new int[] {1, 2}).bias(24, "pop", new int[] {3, 4});
    Stimulus s = b.build();
    long events = 0;
    int biases = 0;
    for (int from = 0; from < 25; from += 10) {
      StepBatch batch = BoardCodec.batch(s, from, Math.min(10, 25 - from));
      Stimulus back = BoardCodec.stimulus(batch);
      events += back.eventCount();
      biases += back.biasChanges().size();
      for (Stimulus.PortEvents e : back.events().values()) {
        for (int i = 0; i < e.steps().length; i++) {
          assertEquals((e.steps()[i] + from) % 3, 0, "event steps shift back to the run's");
          if (e.port().equals("in")) {
            assertEquals(e.steps()[i] + from - 10, e.payloads()[i]);
          }
        }
      }
    }
    assertEquals(s.eventCount(), events);
    assertEquals(2, biases);
  }

  @Test
  void inconsistentBatchesAreInvalidArguments() {
    StepBatch unpaired = StepBatch.newBuilder().setSteps(3).addEvents(PortEventBatch.newBuilder()
        .setPort("in").addSteps(0).addSteps(1).addIndices(0)).build();
    StepBatch late = StepBatch.newBuilder().setSteps(3).addEvents(PortEventBatch.newBuilder()
        .setPort("in").addSteps(3).addIndices(0)).build();
    for (StepBatch bad : List.of(unpaired, late)) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> BoardCodec.stimulus(bad));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }
    RunOutput broken = BoardCodec.output(0, result(0, 8, spikes(1, 8, 8, 1000, false)), List.of())
        .toBuilder().setSteps(9).build();
    assertThrows(StatusRuntimeException.class, () -> BoardCodec.merge(List.of(broken), List.of()));
  }

  @Test
  void probesRoundTrip() {
    for (Probe p : List.of(Probe.of(ProbeKind.U, "a"), new Probe(ProbeKind.SPIKES, "b", 3, 4),
        Probe.parse("v:lif[2:9]"))) {
      assertEquals(p, BoardCodec.probe(BoardCodec.probe(p)));
    }
  }
}
