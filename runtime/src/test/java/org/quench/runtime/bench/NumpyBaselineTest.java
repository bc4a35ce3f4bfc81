package org.quench.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NumpyBaselineTest {
  @Test
  void scriptIsFoundFromInsideTheRepository() {
    Path script = NumpyBaseline.locate().orElseThrow();
    assertTrue(script.endsWith(Path.of("bench", "numpy_baseline.py")), script.toString());
  }

  @Test
  void commandPassesTheShape() {
    List<String> cmd = NumpyBaseline.command(Path.of("b.py"), new SyntheticNetwork.Shape(123, 7, 0, 42), 5, 9);
    assertEquals(List.of("python3", "b.py", "--neurons", "123", "--synapses-per-neuron", "7", "--steps", "9",
        "--warmup", "5", "--seed", "42"), cmd);
  }
}
