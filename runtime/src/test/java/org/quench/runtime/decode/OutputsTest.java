package org.quench.runtime.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;

class OutputsTest {
  private static final Probe V = Probe.of(ProbeKind.V, "p");

  private static RunResult chunk(long first, int steps, int[] spikeSteps, int[] indices, int[] v) {
    int[] values = new int[spikeSteps.length];
    java.util.Arrays.fill(values, 1);
    return new RunResult(steps, first,
        Map.of("out", new RunResult.SpikeEvents(3, spikeSteps, indices, values)),
        Map.of(V, new RunResult.Trace(V, 2, v)));
  }

  @Test
  void chunksAreJoinedOnOneTimeline() {
    Outputs o = new Outputs();
    o.accept(chunk(10, 2, new int[] {1}, new int[] {2}, new int[] {1, 2, 3, 4}));
    o.accept(chunk(12, 3, new int[] {0, 0, 2}, new int[] {0, 2, 2}, new int[] {5, 6, 7, 8, 9, 10}));
    assertEquals(5, o.steps());
    assertEquals(10, o.firstStep());
    assertArrayEquals(new int[][] {{0, 0, 0}, {0, 0, 1}, {1, 0, 1}, {0, 0, 0}, {0, 0, 1}},
        o.spikes("out"));
    assertArrayEquals(new int[] {1, 0, 3}, o.counts("out"));
    assertArrayEquals(new int[] {2, -1, 1}, o.firstSpikes("out"));
    assertArrayEquals(new int[][] {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}}, o.trace(V));
    assertThrows(QuenchException.class, () -> o.trace(Probe.of(ProbeKind.U, "p")));
    assertThrows(QuenchException.class, () -> o.counts("nope"));
  }

  @Test
  void classDecodersPickTheWinnerAndBreakTiesLow() {
    Outputs o = Outputs.of(chunk(0, 5, new int[] {0, 1, 3, 4, 4}, new int[] {2, 1, 1, 2, 0},
        new int[10]));
    assertEquals(1, ClassDecoder.COUNT.decode(o, "out"), "1 and 2 both spike twice: lower wins");
    assertEquals(2, ClassDecoder.FIRST_SPIKE.decode(o, "out"));
    assertEquals(-1, ClassDecoder.argmax(new int[] {0, 0}));
    assertEquals(-1, ClassDecoder.earliest(new int[] {-1, -1}));
    assertEquals(0, ClassDecoder.earliest(new int[] {4, 7, 4}));
  }

  @Test
  void exponentialFilterFollowsItsRecurrence() {
    ExponentialFilter f = new ExponentialFilter(4);
    double a = Math.exp(-0.25);
    assertEquals(a, f.decay(), 1e-15);
    double[][] y = f.apply(new int[][] {{1, 0}, {0, 2}, {1, 0}});
    assertEquals(1, y[0][0], 1e-12);
    assertEquals(a, y[1][0], 1e-12);
    assertEquals(a * a + 1, y[2][0], 1e-12);
    assertEquals(2 * a, y[2][1], 1e-12);
    assertArrayEquals(new double[] {0, 2}, new ExponentialFilter(0).apply(new int[][] {{0, 2}})[0]);
    assertThrows(QuenchException.class, () -> new ExponentialFilter(-1));
  }
}
