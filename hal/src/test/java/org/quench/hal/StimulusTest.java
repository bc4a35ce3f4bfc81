package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StimulusTest {
  @Test
  void eventsAreGroupedByPortAndSortedByStepKeepingCallOrderWithinAStep() {
    Stimulus s = Stimulus.builder(10)
        .spike(5, "in", 1)
        .payload(2, "in", 7, 300)
        .spike(5, "in", 0)
        .spike(0, "aux", 3)
        .payload(2, "in", 4, -2)
        .build();
    Stimulus.PortEvents in = s.events().get("in");
    assertArrayEquals(new int[] {2, 2, 5, 5}, in.steps());
    assertArrayEquals(new int[] {7, 4, 1, 0}, in.indices());
    assertArrayEquals(new int[] {300, -2, 1, 1}, in.payloads());
    assertArrayEquals(new int[] {3}, s.events().get("aux").indices());
    assertEquals(5, s.eventCount());
    assertEquals(10, s.steps());
  }

  @Test
  void firstAtOrAfterFindsTheStartOfAWindowAmongRepeatedSteps() {
    int[] steps = {0, 2, 2, 2, 5, 9};
    assertEquals(0, Stimulus.firstAtOrAfter(steps, -3));
    assertEquals(0, Stimulus.firstAtOrAfter(steps, 0));
    assertEquals(1, Stimulus.firstAtOrAfter(steps, 1));
    assertEquals(1, Stimulus.firstAtOrAfter(steps, 2));
    assertEquals(4, Stimulus.firstAtOrAfter(steps, 3));
    assertEquals(5, Stimulus.firstAtOrAfter(steps, 9));
    assertEquals(6, Stimulus.firstAtOrAfter(steps, 10));
    assertEquals(6, Stimulus.firstAtOrAfter(steps, 1L << 40));
    assertEquals(0, Stimulus.firstAtOrAfter(new int[0], 4));
  }

  @Test
  void manyEventsOnOnePortAreAllKept() {
    Stimulus.Builder b = Stimulus.builder(1000);
    for (int k = 999; k >= 0; k--) {
      b.payload(k, "in", k % 17, k);
    }
    Stimulus.PortEvents e = b.build().events().get("in");
    assertEquals(1000, e.steps().length);
    for (int i = 0; i < 1000; i++) {
      assertEquals(i, e.steps()[i]);
      assertEquals(i % 17, e.indices()[i]);
      assertEquals(i, e.payloads()[i]);
    }
  }

  @Test
  void biasChangesAreSortedByStepAndCopied() {
    int[] bias = {1, 2, 3};
    Stimulus s = Stimulus.builder(8).bias(6, "lif1", bias).bias(1, "lif2", new int[] {9}).build();
    bias[0] = 100;
    List<Stimulus.BiasChange> changes = s.biasChanges();
    assertEquals(List.of(1, 6), changes.stream().map(Stimulus.BiasChange::step).toList());
    assertEquals("lif1", changes.get(1).population());
    assertArrayEquals(new int[] {1, 2, 3}, changes.get(1).biasMant());
  }

  @Test
  void aBiasChangeAtStepZeroIsAllowedInAZeroStepRun() {
    Stimulus s = Stimulus.builder(0).bias(0, "lif1", new int[] {5}).build();
    assertEquals(1, s.biasChanges().size());
    assertEquals(0, s.steps());
  }

  @Test
  void idleHasNoEvents() {
    Stimulus s = Stimulus.idle(4);
    assertEquals(4, s.steps());
    assertEquals(0, s.eventCount());
    assertTrue(s.events().isEmpty() && s.biasChanges().isEmpty());
  }

  @Test
  void eventsOutsideTheRunAreRefusedNamingPortAndStep() {
    String m = assertThrows(QuenchException.class,
        () -> Stimulus.builder(3).spike(3, "in", 0)).getMessage();
    assertTrue(m.contains("port 'in' at step 3") && m.contains("3 steps"), m);
    m = assertThrows(QuenchException.class, () -> Stimulus.builder(3).spike(-1, "in", 0))
        .getMessage();
    assertTrue(m.contains("step -1"), m);
    m = assertThrows(QuenchException.class, () -> Stimulus.builder(3).spike(0, "in", -4))
        .getMessage();
    assertTrue(m.contains("negative index -4"), m);
    m = assertThrows(QuenchException.class,
        () -> Stimulus.builder(3).bias(3, "lif1", new int[1])).getMessage();
    assertTrue(m.contains("population 'lif1' at step 3"), m);
    m = assertThrows(QuenchException.class, () -> Stimulus.builder(-1)).getMessage();
    assertTrue(m.contains("non-negative number of steps, got -1"), m);
  }

  @Test
  void theBuiltStimulusCannotBeChanged() {
    Stimulus s = Stimulus.builder(2).spike(0, "in", 0).build();
    assertThrows(UnsupportedOperationException.class, () -> s.events().clear());
    assertThrows(UnsupportedOperationException.class, () -> s.biasChanges().clear());
  }
}
