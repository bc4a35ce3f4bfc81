package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProbeTest {
  private static String failure(String text) {
    return assertThrows(QuenchException.class, () -> Probe.parse(text)).getMessage();
  }

  @Test
  void kindAndPopulationMeanTheWholePopulation() {
    assertEquals(new Probe(ProbeKind.V, "lif1", 0, -1), Probe.parse("v:lif1"));
    assertEquals(new Probe(ProbeKind.SPIKES, "out", 0, -1), Probe.parse("SPIKES:out"));
    assertEquals(Probe.of(ProbeKind.U, "x"), Probe.parse(" u :x"));
  }

  @Test
  void rangeIsFirstToEndExclusive() {
    assertEquals(new Probe(ProbeKind.U, "lif1", 2, 3), Probe.parse("u:lif1[2:5]"));
    assertEquals(new Probe(ProbeKind.V, "lif1", 4, -1), Probe.parse("v:lif1[4:]"));
    assertEquals(new Probe(ProbeKind.V, "lif1", 0, 7), Probe.parse("v:lif1[:7]"));
  }

  @Test
  void toStringParsesBackToTheSameProbe() {
    for (String text : new String[] {"v:lif1", "u:a[2:5]", "spikes:b[3:]"}) {
      Probe p = Probe.parse(text);
      assertEquals(text, p.toString());
      assertEquals(p, Probe.parse(p.toString()));
    }
  }

  @Test
  void malformedProbesAreRefusedWithTheReason() {
    assertTrue(failure("lif1").contains("is not KIND:POPULATION"));
    assertTrue(failure("v:").contains("is not KIND:POPULATION"));
    assertTrue(failure(":lif1").contains("is not KIND:POPULATION"));
    assertTrue(failure("w:lif1").contains("unknown probe kind 'w': use u, v or spikes"));
    assertTrue(failure("v:lif1[5:2]").contains("empty range"));
    assertTrue(failure("v:lif1[5:5]").contains("empty range"));
    assertTrue(failure("v:lif1[a:b]").contains("range bounds must be integers"));
    assertTrue(failure("v:lif1[1:2").contains("range must look like [first:end]"));
    assertTrue(failure("v:lif1[3]").contains("range must look like [first:end]"));
    assertTrue(failure("v:lif1[1:2:3]").contains("range must look like [first:end]"));
    assertTrue(failure("v:[0:3]").contains("names no population"));
    assertTrue(failure("v:lif1[-2:3]").contains("negative range"));
  }
}
