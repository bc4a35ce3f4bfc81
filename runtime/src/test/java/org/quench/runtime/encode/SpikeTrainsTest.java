package org.quench.runtime.encode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;

class SpikeTrainsTest {
  @Test
  void chunksSplitEventsAtTheRightSteps() {
    SpikeTrains t = SpikeTrains.builder(10).port("in", 3).spike(9, "in", 2).spike(0, "in", 1)
        .payload(4, "in", 0, 7).spike(5, "in", 2).build();
    Stimulus first = t.chunk(0, 5);
    Stimulus second = t.chunk(5, 5);
    assertArrayEquals(new int[] {0, 4}, first.events().get("in").steps());
    assertArrayEquals(new int[] {1, 7}, first.events().get("in").payloads());
    assertArrayEquals(new int[] {0, 4}, second.events().get("in").steps());
    assertArrayEquals(new int[] {2, 2}, second.events().get("in").indices());
    assertEquals(0, t.chunk(10, 5).eventCount(), "past the end: no events");
  }

  @Test
  void aRepeatedEventKeepsTheLastValueAndZeroPayloadsAreDropped() {
    SpikeTrains t = SpikeTrains.builder(3).port("p", 2).payload(1, "p", 1, 4).payload(1, "p", 1, 9)
        .payload(2, "p", 0, 0).build();
    assertEquals(1, t.eventCount("p"));
    assertArrayEquals(new int[][] {{0, 0}, {0, 9}, {0, 0}}, t.dense("p"));
  }

  @Test
  void biasRowsHoldUntilTheNextAndAreRestatedAtChunkStarts() {
    SpikeTrains t = SpikeTrains.builder(10)
        .biasPerStep("pop", new int[][] {{1, 1}, {1, 1}, {2, 3}, {2, 3}, {2, 3}}).build();
    assertArrayEquals(new int[] {2, 3}, t.biasAt("pop", 8));
    assertArrayEquals(new int[] {1, 1}, t.biasAt("pop", 1));
    List<Stimulus.BiasChange> whole = t.chunk(0, 10).biasChanges();
    assertEquals(2, whole.size(), "equal consecutive rows are one change");
    assertEquals(2, whole.get(1).step());
    List<Stimulus.BiasChange> later = t.chunk(6, 4).biasChanges();
    assertEquals(1, later.size());
    assertEquals(0, later.get(0).step());
    assertArrayEquals(new int[] {2, 3}, later.get(0).biasMant());
  }

  @Test
  void outOfRangeEventsAreRefusedWithTheirCoordinates() {
    SpikeTrains.Builder b = SpikeTrains.builder(5).port("in", 2);
    QuenchException e = assertThrows(QuenchException.class, () -> b.spike(2, "in", 2));
    assertTrue(e.getMessage().contains("index 2") && e.getMessage().contains("2 channels"),
        e.getMessage());
    e = assertThrows(QuenchException.class, () -> b.spike(5, "in", 0));
    assertTrue(e.getMessage().contains("step 5"), e.getMessage());
    assertThrows(QuenchException.class, () -> b.spike(0, "other", 0));
    assertThrows(QuenchException.class, () -> b.port("in", 3));
  }
}
