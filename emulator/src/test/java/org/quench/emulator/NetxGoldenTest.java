package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;

/**
 * End to end against public ground truth: the shared netx golden case (a 4-layer lava-dl netx
 * network with delays and a recurrent layer, runtime/src/test/resources/golden/netx-random-1001,
 * flattened to text by golden/netx_to_text.py). The test maps it to an image by hand, per
 * docs/model-formats.md#lava-dl-netx (lava-dl's weight optimisation included), spreads the layers
 * over two chips and expects the recorded output spikes of all 300 steps exactly.
 */
class NetxGoldenTest {
  /** One layer of the file: its record lines by key. */
  private record Layer(String kind, int n, int iDecay, int vDecay, int vth, Map<String, long[]> data) {}

  private static List<Layer> layers = new ArrayList<>();
  private static Map<String, long[]> extra = new HashMap<>();

  private static void read() throws IOException {
    layers = new ArrayList<>();
    extra = new HashMap<>();
    try (InputStream in = NetxGoldenTest.class.getResourceAsStream("golden/netx-random-1001.txt");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.trim().split(" ");
        if (f[0].equals("layer")) {
          layers.add(new Layer(f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
              Integer.parseInt(f[6]), new HashMap<>()));
          continue;
        }
        long[] values = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) {
          values[i - 1] = Long.parseLong(f[i]);
        }
        (f[0].equals("input_bias") || f[0].equals("expected") ? extra : layers.get(layers.size() - 1).data())
            .put(f[0], values);
      }
    }
  }

  /** A [rows][cols] matrix from a record "rows cols values...". */
  private static long[][] matrix(long[] rec) {
    int rows = (int) rec[0];
    int cols = (int) rec[1];
    long[][] m = new long[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        m[i][j] = rec[2 + i * cols + j];
      }
    }
    return m;
  }

  /**
   * lava-dl's weight optimisation (docs/model-formats.md#dense-layer-weights): the core's weights
   * and their parameters.
   */
  private record Optimized(long[][] weights, int numWeightBits, int weightExp, SignMode mode) {}

  private static Optimized optimize(long[][] w) {
    long max = Long.MIN_VALUE;
    long min = Long.MAX_VALUE;
    for (long[] row : w) {
      for (long x : row) {
        max = Math.max(max, x);
        min = Math.min(min, x);
      }
    }
    long[][] c = new long[w.length][];
    for (int i = 0; i < w.length; i++) {
      c[i] = w[i].clone();
    }
    if ((max > 254 && min < 0) || (min < -256 && max > 0)) {
      throw new IllegalStateException("this fixture has no weights that need clipping");
    }
    SignMode mode;
    int signed = 0;
    double scale;
    if (max < 0) {
      mode = SignMode.INHIBITORY;
      scale = -256.0 / min;
    } else if (min >= 0) {
      mode = SignMode.EXCITATORY;
      scale = 255.0 / max;
    } else {
      mode = SignMode.MIXED;
      signed = 1;
      scale = Math.min(127.0 / max, -128.0 / min);
    }
    int scaleBits = (int) Math.floor(Math.log(scale) / Math.log(2)) + signed;
    int n = 8;
    while (n > 0 && !allDivisible(c, 1L << n)) {
      n--;
    }
    n -= signed;
    if (scaleBits < 0) {
      throw new IllegalStateException("this fixture has no weights above 255");
    }
    for (long[] row : c) {
      for (int j = 0; j < row.length; j++) {
        row[j] <<= scaleBits;
      }
    }
    return new Optimized(c, 8 - scaleBits - n, -scaleBits, mode);
  }

  private static boolean allDivisible(long[][] w, long unit) {
    for (long[] row : w) {
      for (long x : row) {
        if (x % unit != 0) {
          return false;
        }
      }
    }
    return true;
  }

  private static AxonGroup.Builder group(String name, int axonFirst, long[][] w, long[][] delay, Optimized o) {
    int[][] wi = new int[w.length][w[0].length];
    int[][] di = delay == null ? null : new int[w.length][w[0].length];
    for (int i = 0; i < w.length; i++) {
      for (int j = 0; j < w[0].length; j++) {
        wi[i][j] = (int) w[i][j];
        if (di != null) {
          di[i][j] = (int) Math.min(62, delay[i][j]);
        }
      }
    }
    return ImageFixture.dense(name, axonFirst, wi, di, o.mode(), o.numWeightBits(), o.weightExp());
  }

  private static Core.Builder neurons(Layer l, int chip, int core, long[] bias) {
    Core.Builder c = ImageFixture.lifCore(chip, core, l.n(), l.iDecay() - 1, l.vDecay(), l.vth(), 0, 6);
    for (int i = 0; i < l.n(); i++) {
      c.setBiasMant(i, (int) bias[i]);
    }
    return c;
  }

  private static Route route(int n, int chip, int core, int axonFirst) {
    return Route.newBuilder().setNeuronFirst(0).setNeuronCount(n).setDest(ImageFixture.at(chip, core))
        .setAxonFirst(axonFirst).build();
  }

  static ChipImage image() throws IOException {
    read();
    assertEquals(List.of("input", "dense", "dense_rec", "dense"), layers.stream().map(Layer::kind).toList());
    Layer l0 = layers.get(0);
    Layer l1 = layers.get(1);
    Layer l2 = layers.get(2);
    Layer l3 = layers.get(3);
    Core.Builder c0 = neurons(l0, 0, 0, extra.get("input_bias")).addRoutes(route(l0.n(), 0, 1, 0));
    long[][] w1 = matrix(l1.data().get("weight"));
    Core.Builder c1 = neurons(l1, 0, 1, l1.data().get("bias"))
        .addAxonGroups(group("dense1", 0, optimize(w1).weights(), matrix(l1.data().get("delay")), optimize(w1)))
        .addRoutes(route(l1.n(), 1, 0, 0));
    // dense_rec: input and recurrent weights are optimised side by side as one matrix, but stay
    // two connections (each floors its own sum).
    long[][] w2 = matrix(l2.data().get("weight"));
    long[][] r2 = matrix(l2.data().get("weight_rec"));
    long[][] both = new long[w2.length][];
    for (int i = 0; i < w2.length; i++) {
      both[i] = new long[w2[i].length + r2[i].length];
      System.arraycopy(w2[i], 0, both[i], 0, w2[i].length);
      System.arraycopy(r2[i], 0, both[i], w2[i].length, r2[i].length);
    }
    Optimized o2 = optimize(both);
    long[][] ow2 = new long[w2.length][];
    long[][] or2 = new long[w2.length][];
    for (int i = 0; i < w2.length; i++) {
      ow2[i] = java.util.Arrays.copyOfRange(o2.weights()[i], 0, w2[i].length);
      or2[i] = java.util.Arrays.copyOfRange(o2.weights()[i], w2[i].length, both[i].length);
    }
    Core.Builder c2 = neurons(l2, 1, 0, l2.data().get("bias"))
        .addAxonGroups(group("dense2", 0, ow2, null, o2))
        .addAxonGroups(group("rec2", l1.n(), or2, null, o2))
        .addRoutes(route(l2.n(), 1, 0, l1.n()))
        .addRoutes(route(l2.n(), 1, 1, 0));
    long[][] w3 = matrix(l3.data().get("weight"));
    Core.Builder c3 = neurons(l3, 1, 1, l3.data().get("bias"))
        .addAxonGroups(group("dense3", 0, optimize(w3).weights(), null, optimize(w3)));
    return ImageFixture.image(2).addCores(c0).addCores(c1).addCores(c2).addCores(c3)
        .addOutputs(ImageFixture.output("out", 1, 1, l3.n()))
        .addSymbols(ImageFixture.symbol("output", 1, 1, l3.n()))
        .build();
  }

  @Test
  void reproducesTheRecordedOutputSpikesOfAllThreeHundredSteps() throws IOException {
    ChipImage image = image();
    long[] expected = extra.get("expected");
    int steps = (int) expected[0];
    int width = (int) expected[1];
    for (int threads = 1; threads <= 2; threads++) {
      try (EmulatorDevice dev = ImageFixture.device(threads)) {
        dev.load(image);
        RunResult r = dev.run(Stimulus.idle(steps));
        int[][] got = r.output("out").dense(steps);
        int total = 0;
        for (int k = 0; k < steps; k++) {
          int[] want = new int[width];
          for (int j = 0; j < width; j++) {
            want[j] = (int) expected[2 + k * width + j];
            total += want[j];
          }
          assertArrayEquals(want, got[k], "step " + (k + 1));
        }
        assertEquals(349, total, "the fixture is the shared golden case");
      }
    }
  }
}
