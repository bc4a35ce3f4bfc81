package org.quench.runtime.bench;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.quench.hal.QuenchException;

/**
 * Two builds of the emulator in one JVM, on the {@code quench bench} network, timed in alternating
 * windows: the way to tell a 5% change on a shared machine, where single runs of one build swing
 * by 2x within an hour (emulator package doc).
 *
 * <p>Each side is a class path (a {@code quench.jar}, or {@code :}-separated jars and class
 * directories) loaded through its own class loader, so both builds' classes live side by side and
 * are compiled by the JIT separately. Both build the same network and step it with the same
 * input; rounds alternate which side runs first, and half the rounds load A first, half B first
 * (see {@link #compare}). It reports each round's rates, the median time
 * ratio B/A (below 1: B is faster), both sides' median and best rates, and whether both emitted
 * the same spikes in total (two exact builds must).
 *
 * <p>Only the public API that {@code quench bench} has used since its first version is called,
 * by reflection, so an older {@code quench.jar} can be side A:
 * {@code java -cp examples/target/quench.jar org.quench.runtime.bench.JarAB old.jar
 * examples/target/quench.jar [rounds] [steps] [threads] [neurons]}, defaults 12 rounds of 400
 * steps, 2 threads, 100,000 neurons.
 */
public final class JarAB {
  private JarAB() {}

  /** One side: a build loaded in its own class loader, its device loaded with the network. */
  static final class Side implements AutoCloseable {
    private final URLClassLoader loader;
    private final Object network;
    private final Object device;
    private final Method stimulus;
    private final Method run;
    private final Method counters;
    private final Method spikes;
    private long step;

    Side(String classPath, int threads, int neurons) {
      loader = new URLClassLoader(urls(classPath), ClassLoader.getPlatformClassLoader());
      Thread self = Thread.currentThread();
      ClassLoader before = self.getContextClassLoader();
      // Devices finds the emulator through ServiceLoader, which asks the context class loader.
      self.setContextClassLoader(loader);
      try {
        Class<?> shapeType = loader.loadClass("org.quench.runtime.bench.SyntheticNetwork$Shape");
        Object shape = shapeType.getConstructor(int.class, int.class, int.class, long.class)
            .newInstance(neurons, 100, 0, 1L);
        Class<?> specType = loader.loadClass("org.quench.hal.ChipSpec");
        Object spec = specType.getMethod("loihi").invoke(null);
        Class<?> networkType = loader.loadClass("org.quench.runtime.bench.SyntheticNetwork");
        network = networkType.getMethod("build", shapeType, specType).invoke(null, shape, spec);
        Class<?> deviceType = loader.loadClass("org.quench.hal.Device");
        device = loader.loadClass("org.quench.hal.Devices").getMethod("open", String.class)
            .invoke(null, "emu:loihi?threads=" + threads);
        Object image = networkType.getMethod("image").invoke(network);
        deviceType.getMethod("load", image.getClass()).invoke(device, image);
        stimulus = networkType.getMethod("stimulus", long.class, int.class);
        run = deviceType.getMethod("run", loader.loadClass("org.quench.hal.Stimulus"));
        Class<?> countersType = loader.loadClass("org.quench.runtime.bench.DeviceCounters");
        counters = countersType.getMethod("of", deviceType);
        spikes = countersType.getMethod("spikes");
      } catch (ReflectiveOperationException e) {
        try {
          loader.close();
        } catch (java.io.IOException ignored) {
          // the load failure below is what the user needs to see
        }
        throw new QuenchException("cannot load the bench network from " + classPath + ": " + cause(e));
      } finally {
        self.setContextClassLoader(before);
      }
    }

    /** Runs the next {@code steps} steps; returns their wall time in seconds. */
    double window(int steps) {
      try {
        Object input = stimulus.invoke(network, step, steps);
        long t0 = System.nanoTime();
        run.invoke(device, input);
        double seconds = (System.nanoTime() - t0) / 1e9;
        step += steps;
        return seconds;
      } catch (ReflectiveOperationException e) {
        throw new QuenchException("a run failed: " + cause(e));
      }
    }

    long spikes() {
      try {
        return (long) spikes.invoke(counters.invoke(null, device));
      } catch (ReflectiveOperationException e) {
        throw new QuenchException("cannot read the device's counters: " + cause(e));
      }
    }

    @Override
    public void close() throws Exception {
      ((AutoCloseable) device).close();
      loader.close();
    }
  }

  /** What a comparison measured. */
  record Result(double[] secondsA, double[] secondsB, long spikesA, long spikesB, int neurons, int steps) {
    double medianRatio() {
      double[] r = new double[secondsA.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = secondsB[i] / secondsA[i];
      }
      return median(r);
    }

    String toText() {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < secondsA.length; i++) {
        b.append(String.format(Locale.ROOT, "round %2d   A %7.1fM/s   B %7.1fM/s   B/A time %.3f%n", i,
            rate(secondsA[i]), rate(secondsB[i]), secondsB[i] / secondsA[i]));
      }
      b.append(String.format(Locale.ROOT,
          "median B/A time %.3f (below 1: B faster)   A median %.1fM best %.1fM   B median %.1fM best %.1fM"
              + " neuron updates/s   same spikes: %b (%d)%n",
          medianRatio(), rate(median(secondsA)), rate(min(secondsA)), rate(median(secondsB)),
          rate(min(secondsB)), spikesA == spikesB, spikesA));
      return b.toString();
    }

    private double rate(double seconds) {
      return (double) neurons * steps / seconds / 1e6;
    }
  }

  /**
   * Times {@code rounds} alternating pairs of windows in two passes: the first loads A then B, the
   * second (after closing both) B then A, half the rounds each. The side loaded second ran up to
   * 8% slower with both sides the very same build, so a single load order biases the ratio;
   * the two orders cancel it. Each pass warms both sides up with three windows first.
   */
  static Result compare(String classPathA, String classPathB, int rounds, int steps, int threads, int neurons)
      throws Exception {
    double[] ta = new double[rounds];
    double[] tb = new double[rounds];
    long[] spikes = new long[2];
    int firstHalf = (rounds + 1) / 2;
    for (int pass = 0; pass < 2; pass++) {
      boolean aFirst = pass == 0;
      try (Side first = new Side(aFirst ? classPathA : classPathB, threads, neurons);
          Side second = new Side(aFirst ? classPathB : classPathA, threads, neurons)) {
        Side a = aFirst ? first : second;
        Side b = aFirst ? second : first;
        for (int w = 0; w < 3; w++) {
          a.window(steps);
          b.window(steps);
        }
        int from = pass == 0 ? 0 : firstHalf;
        int to = pass == 0 ? firstHalf : rounds;
        for (int r = from; r < to; r++) {
          if (r % 2 == 0) {
            ta[r] = a.window(steps);
            tb[r] = b.window(steps);
          } else {
            tb[r] = b.window(steps);
            ta[r] = a.window(steps);
          }
        }
        spikes[0] += a.spikes();
        spikes[1] += b.spikes();
      }
    }
    return new Result(ta, tb, spikes[0], spikes[1], neurons, steps);
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: JarAB A.jar B.jar [rounds] [steps] [threads] [neurons]");
      System.exit(2);
    }
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 12;
    int steps = args.length > 3 ? Integer.parseInt(args[3]) : 400;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
    int neurons = args.length > 5 ? Integer.parseInt(args[5]) : 100_000;
    try {
      System.out.print(compare(args[0], args[1], rounds, steps, threads, neurons).toText());
    } catch (QuenchException e) {
      System.err.println("JarAB: " + e.getMessage());
      System.exit(1);
    }
  }

  private static URL[] urls(String classPath) {
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path p = Path.of(entry);
      if (!p.toFile().exists()) {
        throw new QuenchException("class path entry " + entry + " does not exist");
      }
      try {
        urls.add(p.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new QuenchException("class path entry " + entry + ": " + e.getMessage());
      }
    }
    return urls.toArray(new URL[0]);
  }

  private static String cause(ReflectiveOperationException e) {
    Throwable t = e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static double median(double[] v) {
    return v[EmulatorThroughput.medianIndex(v)];
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }
}
