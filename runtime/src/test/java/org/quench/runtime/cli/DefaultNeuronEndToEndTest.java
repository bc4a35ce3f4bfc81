package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.io.NpyArray;

/**
 * A netx dense layer without a neuron group gets netx's default neuron, whose threshold mantissa
 * 2^17 is the top of {@link ChipSpec#vthRange()}: compile, inspect and run must all accept it,
 * and on the chip such a neuron integrates its input but never fires.
 */
class DefaultNeuronEndToEndTest {
  @TempDir
  Path dir;

  @Test
  void compileInspectAndRunAcceptTheNeverFiringThreshold() throws IOException {
    Path model = dir.resolve("default_neuron.net");
    try (InputStream in = getClass().getResourceAsStream("/netx/default_neuron.net")) {
      Files.copy(in, model);
    }
    Path image = dir.resolve("default_neuron.qimg");
    InProcessRun compiled = InProcessRun.of("compile", model.toString(), "-o", image.toString());
    assertEquals(0, compiled.code(), compiled.err());
    ChipImage loaded = ChipImages.read(image);
    int top = ChipSpec.loihi().vthRange().max();
    assertEquals(1 << 17, top);
    assertTrue(loaded.getCores(0).getThresholdProfilesList().stream().anyMatch(t -> t.getVth() == top),
        "the default neuron keeps vth 2^17 in the image");

    InProcessRun inspected = InProcessRun.of("inspect", image.toString());
    assertEquals(0, inspected.code(), inspected.err());
    assertTrue(inspected.out().contains("layer1"), inspected.out());

    // The input layer (vth 80, bias_exp 6) fires every step on a bias of 100; layer1 integrates.
    Path bias = dir.resolve("bias.npy");
    NpyArray.ofInts(NpyArray.DType.I4, new int[] {4}, new int[] {100, 100, 100, 100}).write(bias);
    Path record = dir.resolve("rec");
    InProcessRun ran = InProcessRun.of("run", image.toString(), "--input", "bias:layer0=" + bias,
        "--steps", "200", "--probe", "v:layer1", "--probe", "spikes:layer1", "--probe",
        "spikes:layer0", "--record", record.toString());
    assertEquals(0, ran.code(), ran.err());

    int[] inputSpikes = recorded(record, "spikes", "layer0").toInts();
    int[] outputSpikes = recorded(record, "spikes", "layer1").toInts();
    int[] voltage = recorded(record, "v", "layer1").toInts();
    assertTrue(sum(inputSpikes) > 100, "the input layer drives layer1");
    assertEquals(0, sum(outputSpikes), "vth 2^17 never fires");
    int largest = 0;
    for (int v : voltage) {
      largest = Math.max(largest, Math.abs(v));
    }
    assertTrue(largest > 0, "layer1's voltage moves");
    assertTrue(largest <= ChipSpec.loihi().voltageRange().max());
  }

  private static int sum(int[] values) {
    int s = 0;
    for (int v : values) {
      s += v;
    }
    return s;
  }

  /** The recorded .npy of probe {@code kind} on {@code population} (Recorder's naming). */
  private static NpyArray recorded(Path dir, String kind, String population) {
    return NpyArray.read(dir.resolve(population + "." + kind + ".npy"));
  }
}
