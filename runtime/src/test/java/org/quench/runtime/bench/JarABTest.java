package org.quench.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;

/** Two copies of this build, each in its own class loader, on a small bench network. */
class JarABTest {
  @Test
  void twoLoadersOfOneBuildStepTheSameNetworkToTheSameSpikes() throws Exception {
    String classPath = System.getProperty("java.class.path");
    JarAB.Result r = JarAB.compare(classPath, classPath, 2, 20, 2, 2000);
    assertEquals(2, r.secondsA().length);
    assertTrue(r.spikesA() > 0, "the network should spike");
    assertEquals(r.spikesA(), r.spikesB(), "two loaders of one build must emit the same spikes");
    assertTrue(r.medianRatio() > 0 && Double.isFinite(r.medianRatio()), String.valueOf(r.medianRatio()));
    String text = r.toText();
    assertTrue(text.contains("round  1") && text.contains("same spikes: true"), text);
  }

  @Test
  void aMissingClassPathEntryIsNamed() {
    QuenchException e = assertThrows(QuenchException.class,
        () -> JarAB.compare("/nonexistent/quench.jar", "/nonexistent/quench.jar", 1, 1, 1, 10));
    assertTrue(e.getMessage().contains("/nonexistent/quench.jar"), e.getMessage());
  }
}
