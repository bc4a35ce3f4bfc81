package org.quench.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PythonBaselineTest {
  @Test
  void scriptsAreFoundFromInsideTheRepository() {
    Path numpy = PythonBaseline.NUMPY.locate().orElseThrow();
    assertTrue(numpy.endsWith(Path.of("bench", "numpy_baseline.py")), numpy.toString());
    Path brian = PythonBaseline.BRIAN2.locate().orElseThrow();
    assertTrue(brian.endsWith(Path.of("bench", "brian2_baseline.py")), brian.toString());
  }

  @Test
  void commandPassesTheShape() {
    List<String> cmd = PythonBaseline.command("python3", Path.of("b.py"), new SyntheticNetwork.Shape(123, 7, 0, 42), 5, 9);
    assertEquals(List.of("python3", "b.py", "--neurons", "123", "--synapses-per-neuron", "7", "--steps", "9",
        "--warmup", "5", "--seed", "42"), cmd);
  }

  @Test
  void aScriptWithoutItsPackageIsSkippedAndOneWithItReportsItsRates(@TempDir Path dir) throws Exception {
    SyntheticNetwork.Shape shape = new SyntheticNetwork.Shape(10, 2, 0, 1);
    Path missing = Files.writeString(dir.resolve("missing.py"), "import sys\nsys.exit(3)\n");
    assertFalse(PythonBaseline.BRIAN2.run(missing, shape, 1, 1).isPresent());
    Path present = Files.writeString(dir.resolve("present.py"),
        "import sys\nprint('noise')\nprint('{\"neuronUpdatesPerSecond\": %s}' % sys.argv[2])\n");
    assertEquals(10, PythonBaseline.NUMPY.run(present, shape, 1, 1).orElseThrow()
        .get("neuronUpdatesPerSecond").getAsInt());
  }
}
