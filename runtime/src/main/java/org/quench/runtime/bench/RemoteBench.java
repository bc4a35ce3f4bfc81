package org.quench.runtime.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.board.BoardServer;

/**
 * Remote versus in-process throughput: the same image and stimulus run on an emulated chip in
 * this process and on the same kind of chip behind a board on 127.0.0.1, streamed in batches.
 * Reports steps/s and output spikes/s of both and checks that the spikes are identical.
 *
 * <p>Three networks: "1k" (4 cores x 250 LIF neurons, moderate activity: the step-rate
 * target), "saturated" (8 cores x 1000 neurons whose biases make nearly all fire every step),
 * and "transport" (a stand-in device that computes nothing and reports 1000 spikes every step:
 * output spikes/s over loopback, codec and transport alone). Arguments:
 * {@code [steps] [batch] [emulator threads] [rounds]}, default {@code 20000 1000 1 5}. Both sides
 * are loaded and warmed up alike before timing; the timed runs alternate between them and each
 * reports its best round, so neither JIT warm-up nor a change of machine load favours one side. Run: {@code java -cp quench.jar org.quench.runtime.bench.RemoteBench}.
 */
public final class RemoteBench {
  private RemoteBench() {}

  /**
   * One measured run: wall time and process CPU time (every thread: on the remote side the
   * board's and the client's), nanoseconds, and the output spike count.
   */
  private record Measure(long nanos, long cpuNanos, long spikes, RunResult result) {

    double stepsPerSecond(int steps) {
      return steps * 1e9 / nanos;
    }

    double spikesPerSecond() {
      return spikes * 1e9 / nanos;
    }
  }

  public static void main(String[] args) throws Exception {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    if (rounds < 1) {
      throw new QuenchException("at least 1 round, got " + rounds);
    }
    if (batch < 100) {
      throw new QuenchException("batches of at least 100 steps, got " + batch);
    }
    System.out.printf(Locale.ROOT, "steps %d, batch %d, emulator threads %d, %d processors;"
        + " best of %d alternating rounds after warming both sides%n",
        steps, batch, threads, Runtime.getRuntime().availableProcessors(), rounds);
    compare("1k", RandomNetwork.image(1, 4, 250), RandomNetwork.stimulus(2, steps, 100),
        null, steps, batch, threads, rounds);
    int[] high = new int[8000];
    Arrays.fill(high, 4000);
    Stimulus saturate = Stimulus.builder(1).bias(0, "lif", high).build();
    compare("saturated", RandomNetwork.image(3, 8, 1000), RandomNetwork.stimulus(4, steps / 4, 100),
        saturate, steps / 4, batch, threads, rounds);
    transport(steps, batch, 1000);
  }

  /**
   * Output spikes/s over loopback alone: the board hosts a device that computes nothing and
   * answers every step with all {@code width} outputs spiking, so codec and transport are all
   * that is timed.
   */
  private static void transport(int steps, int batch, int width) {
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").port(0)
        .device(new AllSpikingDevice(width)).start();
        Device d = Devices.open("grpc://127.0.0.1:" + board.port() + "/chip0?batch=" + batch)) {
      Measure m = measure(d, RandomNetwork.image(1, 1, 50), Stimulus.idle(steps), null);
      if (m.spikes != (long) steps * width) {
        throw new QuenchException("transport check lost spikes: " + m.spikes);
      }
      System.out.printf(Locale.ROOT, "%-10s remote     %10.0f steps/s %12.0f spikes/s"
          + "  (device computes nothing: codec + loopback only)%n", "transport",
          m.stepsPerSecond(steps), m.spikesPerSecond());
    }
  }

  /** A device whose every output neuron spikes at every step; it ignores image and input. */
  private static final class AllSpikingDevice implements Device {
    private final int width;
    private long time;

    AllSpikingDevice(int width) {
      this.width = width;
    }

    @Override
    public DeviceInfo info() {
      return new DeviceInfo("bench:all-spiking", "bench", "none", "", "0", 1, Map.of());
    }

    @Override
    public void load(ChipImage image) {
      time = 0;
    }

    @Override
    public void attach(Probe probe) {}

    @Override
    public void detachAll() {}

    @Override
    public RunResult run(Stimulus stimulus) {
      int n = stimulus.steps() * width;
      int[] steps = new int[n];
      int[] indices = new int[n];
      int[] values = new int[n];
      for (int i = 0; i < n; i++) {
        steps[i] = i / width;
        indices[i] = i % width;
        values[i] = 1;
      }
      RunResult r = new RunResult(stimulus.steps(), time,
          Map.of("out", new RunResult.SpikeEvents(width, steps, indices, values)), Map.of());
      time += stimulus.steps();
      return r;
    }

    @Override
    public int[] read(Probe probe) {
      return new int[0];
    }

    @Override
    public void reset() {
      time = 0;
    }

    @Override
    public long time() {
      return time;
    }

    @Override
    public DeviceProfile profile() {
      return DeviceProfile.nominal("0");
    }

    @Override
    public void close() {}
  }

  private static void compare(String name, ChipImage image, Stimulus stimulus, Stimulus prelude,
      int steps, int batch, int threads, int rounds) {
    String emu = "emu:loihi?threads=" + threads;
    try (Device local = Devices.open(emu);
        BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).device(emu).start();
        Device remote = Devices.open("grpc://127.0.0.1:" + board.port() + "/chip0?batch=" + batch)) {
      local.load(image);
      remote.load(image);
      // Both sides warm up alike before any timing (the JIT compiles the emulator's step loop
      // once per process, so whichever side ran first would otherwise pay for it), then the
      // timed runs alternate so that a change in machine load hits both.
      for (int i = 0; i < 2; i++) {
        timedRun(local, stimulus, prelude);
        timedRun(remote, stimulus, prelude);
      }
      Measure bestLocal = null;
      Measure bestRemote = null;
      long cpuLocal = Long.MAX_VALUE;
      long cpuRemote = Long.MAX_VALUE;
      for (int r = 0; r < rounds; r++) {
        Measure l = timedRun(local, stimulus, prelude);
        Measure m = timedRun(remote, stimulus, prelude);
        if (!sameSpikes(l.result, m.result)) {
          throw new QuenchException("remote and in-process spikes differ for network " + name);
        }
        cpuLocal = Math.min(cpuLocal, l.cpuNanos);
        cpuRemote = Math.min(cpuRemote, m.cpuNanos);
        bestLocal = bestLocal == null || l.nanos < bestLocal.nanos ? l : bestLocal;
        bestRemote = bestRemote == null || m.nanos < bestRemote.nanos ? m : bestRemote;
      }
      // CPU per step (least over the rounds) is the steadier figure on a loaded machine: there
      // the remote side's two busy threads (board and client) get twice the time slices.
      System.out.printf(Locale.ROOT, "%-10s in-process %10.0f steps/s %12.0f spikes/s %8.1f us CPU/step%n", name,
          bestLocal.stepsPerSecond(steps), bestLocal.spikesPerSecond(), cpuLocal / 1e3 / steps);
      System.out.printf(Locale.ROOT, "%-10s remote     %10.0f steps/s %12.0f spikes/s %8.1f us CPU/step"
          + "  (%.0f%% of in-process steps/s; %.1f spikes/step; identical spikes: true)%n", name,
          bestRemote.stepsPerSecond(steps), bestRemote.spikesPerSecond(), cpuRemote / 1e3 / steps,
          100.0 * bestRemote.stepsPerSecond(steps) / bestLocal.stepsPerSecond(steps),
          (double) bestRemote.spikes / steps);
    }
  }

  private static boolean sameSpikes(RunResult a, RunResult b) {
    RunResult.SpikeEvents x = a.output("out");
    RunResult.SpikeEvents y = b.output("out");
    return Arrays.equals(x.steps(), y.steps()) && Arrays.equals(x.indices(), y.indices())
        && Arrays.equals(x.values(), y.values());
  }

  /** From the loaded state: reset, the prelude if any, then the timed run of {@code stimulus}. */
  private static Measure timedRun(Device d, Stimulus stimulus, Stimulus prelude) {
    d.reset();
    if (prelude != null) {
      d.run(prelude);
    }
    long c0 = EmulatorThroughput.processCpuNanos();
    long t0 = System.nanoTime();
    RunResult r = d.run(stimulus);
    long t1 = System.nanoTime();
    long c1 = EmulatorThroughput.processCpuNanos();
    return new Measure(t1 - t0, c1 - c0, r.output("out").count(), r);
  }

  /** Loads, warms up on a copy of the run, resets, then times the run itself. */
  private static Measure measure(Device d, ChipImage image, Stimulus stimulus, Stimulus prelude) {
    d.load(image);
    for (int i = 0; i < 2; i++) {
      timedRun(d, stimulus, prelude);
    }
    return timedRun(d, stimulus, prelude);
  }
}
