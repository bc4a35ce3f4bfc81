package org.quench.runtime.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/**
 * JMH benchmark of the emulator's step on the {@link SyntheticNetwork}: the score is steps per
 * second (multiply by {@code neurons} for neuron updates per second). Run it from the shaded jar:
 * {@code java -cp examples/target/quench.jar org.openjdk.jmh.Main EmulatorStep}; JMH's {@code -p}
 * changes the parameters, e.g. {@code -p neurons=100000 -p threads=2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EmulatorStepBenchmark {
  /** Steps per benchmark invocation: one {@link Device#run} call. */
  static final int STEPS = 10;
  /** Distinct input chunks cycled through, so the input is not one repeated pattern. */
  static final int CHUNKS = 32;

  @Param({"20000"})
  public int neurons;

  @Param({"100"})
  public int synapsesPerNeuron;

  @Param({"1"})
  public int threads;

  @Param({"1"})
  public long seed;

  private Device device;
  private Stimulus[] inputs;
  private int next;

  @Setup(Level.Trial)
  public void load() {
    SyntheticNetwork network = SyntheticNetwork.build(
        new SyntheticNetwork.Shape(neurons, synapsesPerNeuron, 0, seed), ChipSpec.loihi());
    inputs = new Stimulus[CHUNKS];
    for (int i = 0; i < CHUNKS; i++) {
      inputs[i] = network.stimulus((long) i * STEPS, STEPS);
    }
    device = Devices.open(Devices.DEFAULT_URI + "?threads=" + threads);
    device.load(network.image());
    // Reach steady-state activity before JMH's own warm-up starts timing.
    for (int i = 0; i < CHUNKS; i++) {
      device.run(inputs[i]);
    }
  }

  @Benchmark
  @OperationsPerInvocation(STEPS)
  public RunResult step() {
    Stimulus input = inputs[next];
    next = (next + 1) % CHUNKS;
    return device.run(input);
  }

  @TearDown(Level.Trial)
  public void close() {
    device.close();
  }
}
