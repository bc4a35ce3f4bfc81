package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * The study's task suite: 217 temporal tasks on 13 drives, generated in process (no downloads).
 * Families (docs/heterogeneity-study.md, "Tasks", gives each formula):
 * <ul>
 *   <li>delayed recall {@code u[t-d]}, d = 0..39, and windowed sums of past input;</li>
 *   <li>NARMA of orders 2, 3, 5, 10, 15, 20, 25, 30 (orders >= 15 wrapped in tanh);</li>
 *   <li>nonlinear memory on {@code v = 4u - 1}: squares, cubes, sines and pairwise products of
 *       delayed values;</li>
 *   <li>three-channel input: per-channel recall, cross-channel products, signed sums;</li>
 *   <li>chaotic prediction {@code x[t+h]} at several horizons (Mackey-Glass 17 and 30, Lorenz,
 *       Rössler, Hénon, Ikeda, logistic, Lorenz-96), and observers (a hidden variable from an
 *       observed one).</li>
 * </ul>
 * The list and its order are fixed (no randomness); the numbers come from the drives' seeds.
 */
final class TaskSuite {
  /** Largest look-back or horizon any task uses, in samples; the drive must be this much longer. */
  static final int MAX_REACH = 64;

  private static final List<Task> ALL = Collections.unmodifiableList(build());
  private static final Map<String, Task> BY_ID = index(ALL);

  private TaskSuite() {}

  /** Every task, in a fixed order. */
  static List<Task> all() {
    return ALL;
  }

  /** The task called {@code id}. */
  static Task byId(String id) {
    Task t = BY_ID.get(id);
    if (t == null) {
      throw new IllegalArgumentException("no task '" + id + "' in the suite");
    }
    return t;
  }

  /** The tasks on {@code drive}, in suite order. */
  static List<Task> on(Drive drive) {
    List<Task> out = new ArrayList<>();
    for (Task t : ALL) {
      if (t.drive() == drive) {
        out.add(t);
      }
    }
    return out;
  }

  private static Map<String, Task> index(List<Task> tasks) {
    Map<String, Task> m = new LinkedHashMap<>();
    for (Task t : tasks) {
      if (m.put(t.id(), t) != null) {
        throw new IllegalStateException("task id " + t.id() + " twice");
      }
    }
    return m;
  }

  private static List<Task> build() {
    List<Task> tasks = new ArrayList<>();
    // i.i.d. scalar input u in [0, 0.5].
    Drive d = Drive.IID1;
    for (int delay = 0; delay < 40; delay++) {
      int k = delay;
      tasks.add(new Task("recall/d=" + delay, d, "recall", s -> delayed(s, 0, k)));
    }
    for (int window : new int[] {2, 4, 8, 16}) {
      tasks.add(new Task("window-sum/w=" + window, d, "recall", s -> {
        double[] u = s.column(0);
        return map(u.length, t -> {
          if (t < window - 1) {
            return Double.NaN;
          }
          double sum = 0;
          for (int i = 0; i < window; i++) {
            sum += u[t - i];
          }
          return sum;
        });
      }));
    }
    for (int order : new int[] {2, 3, 5, 10, 15, 20, 25, 30}) {
      tasks.add(new Task("narma/n=" + order, d, "narma", s -> {
        double[] y = Narma.series(s.column(0), order);
        // Aligned with the state after sample t: y[t + 1] depends on u up to t.
        return map(y.length, t -> t + 1 < y.length ? y[t + 1] : Double.NaN);
      }));
    }
    for (int delay = 0; delay < 10; delay++) {
      int k = delay;
      tasks.add(new Task("square/d=" + delay, d, "nonlinear-memory",
          s -> centred(s, k, v -> v * v)));
    }
    for (int delay = 0; delay < 5; delay++) {
      int k = delay;
      tasks.add(new Task("cube/d=" + delay, d, "nonlinear-memory",
          s -> centred(s, k, v -> v * v * v)));
      tasks.add(new Task("sine/d=" + delay, d, "nonlinear-memory",
          s -> centred(s, k, v -> Math.sin(Math.PI * v))));
    }
    for (int a = 0; a < 7; a++) {
      for (int b = a + 1; b < 7; b++) {
        int ka = a;
        int kb = b;
        tasks.add(new Task("product/d=" + a + "+" + b, d, "nonlinear-memory", s -> {
          double[] u = s.column(0);
          return map(u.length, t -> t < kb ? Double.NaN : (4 * u[t - ka] - 1) * (4 * u[t - kb] - 1));
        }));
      }
    }
    // Three i.i.d. channels in [-1, 1].
    d = Drive.IID3;
    for (int c = 0; c < 3; c++) {
      for (int delay = 0; delay < 10; delay++) {
        int ch = c;
        int k = delay;
        tasks.add(new Task("recall3/c=" + c + "/d=" + delay, d, "recall", s -> delayed(s, ch, k)));
      }
    }
    int[][] pairs = {{0, 1}, {0, 2}, {1, 2}};
    for (int[] p : pairs) {
      for (int delay = 0; delay < 5; delay++) {
        int k = delay;
        tasks.add(new Task("cross-product/c=" + p[0] + p[1] + "/d=" + delay, d, "nonlinear-memory",
            s -> map(s.length(), t -> t < k ? Double.NaN : s.source()[t - k][p[0]] * s.source()[t - k][p[1]])));
      }
    }
    for (int delay = 0; delay < 5; delay++) {
      int k = delay;
      tasks.add(new Task("signed-sum/d=" + delay, d, "recall", s -> map(s.length(), t -> {
        if (t < k) {
          return Double.NaN;
        }
        double[] x = s.source()[t - k];
        return x[0] - x[1] + 0.5 * x[2];
      })));
    }
    // Chaotic prediction.
    int[] mgHorizons = {1, 2, 5, 10, 20, 40};
    predictions(tasks, Drive.MACKEY_GLASS_17, new String[] {"x"}, new int[] {0}, mgHorizons);
    predictions(tasks, Drive.MACKEY_GLASS_30, new String[] {"x"}, new int[] {0}, mgHorizons);
    String[] xyz = {"x", "y", "z"};
    predictions(tasks, Drive.LORENZ_X, xyz, new int[] {0}, new int[] {1, 2, 5, 10, 20});
    predictions(tasks, Drive.LORENZ_X, xyz, new int[] {1, 2}, new int[] {0, 5});
    predictions(tasks, Drive.LORENZ_XYZ, xyz, new int[] {0, 1, 2}, new int[] {1, 5, 10, 20});
    predictions(tasks, Drive.ROSSLER_X, xyz, new int[] {0}, new int[] {1, 2, 5, 10, 20, 40});
    predictions(tasks, Drive.ROSSLER_X, xyz, new int[] {2}, new int[] {0});
    predictions(tasks, Drive.ROSSLER_XYZ, xyz, new int[] {0, 1, 2}, new int[] {1, 5, 20});
    String[] xy = {"x", "y"};
    predictions(tasks, Drive.HENON_X, xy, new int[] {0}, new int[] {1, 2, 3, 4, 5});
    predictions(tasks, Drive.HENON_XY, xy, new int[] {0, 1}, new int[] {1, 2, 3});
    predictions(tasks, Drive.IKEDA_XY, xy, new int[] {0, 1}, new int[] {1, 2, 3});
    predictions(tasks, Drive.LOGISTIC, new String[] {"x"}, new int[] {0}, new int[] {1, 2, 3, 4});
    predictions(tasks, Drive.LORENZ96, new String[] {"x0", "x1", "x2", "x3", "x4"}, new int[] {0},
        new int[] {1, 2, 5, 10});
    return tasks;
  }

  /** Predict variable {@code v} of the drive's state {@code h} samples ahead (h = 0: observer). */
  private static void predictions(List<Task> tasks, Drive drive, String[] names, int[] variables,
      int[] horizons) {
    for (int v : variables) {
      for (int h : horizons) {
        int var = v;
        tasks.add(new Task(drive.id() + "/" + names[v] + "/h=" + h, drive,
            h == 0 ? "observer" : "prediction",
            s -> map(s.length(), t -> t + h < s.length() ? s.source()[t + h][var] : Double.NaN)));
      }
    }
  }

  private static double[] delayed(DriveSeries s, int channel, int delay) {
    return map(s.length(), t -> t < delay ? Double.NaN : s.source()[t - delay][channel]);
  }

  /** {@code f(4 u[t - delay] - 1)} on the scalar i.i.d. drive (v spans [-1, 1]). */
  private static double[] centred(DriveSeries s, int delay, java.util.function.DoubleUnaryOperator f) {
    return map(s.length(), t -> t < delay ? Double.NaN : f.applyAsDouble(4 * s.source()[t - delay][0] - 1));
  }

  private static double[] map(int n, IntToDoubleFunction f) {
    double[] y = new double[n];
    for (int t = 0; t < n; t++) {
      y[t] = f.applyAsDouble(t);
    }
    return y;
  }
}
