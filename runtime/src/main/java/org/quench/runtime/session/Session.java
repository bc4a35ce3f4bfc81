package org.quench.runtime.session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.quench.hal.ChipImages;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.Symbol;

/**
 * One user's conversation with one {@link Device}: load an image, attach probes by population
 * name, run steps with input streamed in chunks and output streamed to a {@link RunSink}, reset,
 * run batches of samples, close. The same image and inputs give the same results on every device;
 * the session adds nothing device-specific.
 *
 * <p>Long runs are cut into chunks of {@link #chunkSteps()} steps (default 1000): the input source
 * is asked for one chunk at a time and each chunk's outputs go to the sink before the next chunk
 * runs, so memory does not grow with the run's length. Device state carries over between chunks,
 * so chunking never changes a spike. Not thread-safe, like the device it wraps.
 */
public final class Session implements AutoCloseable {
  /** Chunk length used unless {@link #chunkSteps(int)} says otherwise. */
  public static final int DEFAULT_CHUNK_STEPS = 1000;

  private final Device device;
  private final String uri;
  private final List<Probe> probes = new ArrayList<>();
  private ChipImage image;
  private int chunkSteps = DEFAULT_CHUNK_STEPS;
  private LongConsumer progress = done -> {};
  private boolean closed;

  private Session(Device device, String uri) {
    this.device = Objects.requireNonNull(device, "device");
    this.uri = uri;
  }

  /** Opens the device at {@code uri} (e.g. {@code emu:loihi}) through {@link Devices#open}. */
  public static Session open(String uri) {
    return new Session(Devices.open(uri), uri);
  }

  /** A session on an already opened device; {@link #close()} closes the device. */
  public static Session on(Device device) {
    return new Session(device, device.info().uri());
  }

  /** The device this session drives. */
  public Device device() {
    return device;
  }

  /** The URI (or description) the device was opened with. */
  public String uri() {
    return uri;
  }

  /** Validates and loads an image; attached probes are dropped (the device forgets them). */
  public Session load(ChipImage image) {
    checkOpen();
    device.load(image);
    this.image = image;
    probes.clear();
    return this;
  }

  /** Reads an image file (binary or JSON, see {@link ChipImages#read}) and loads it. */
  public Session load(Path imageFile) {
    return load(ChipImages.read(imageFile));
  }

  /** The loaded image. */
  public ChipImage image() {
    if (image == null) {
      throw new QuenchException("no image loaded in this session: call load(image) first");
    }
    return image;
  }

  /** Steps per chunk for later runs (at least 1). */
  public Session chunkSteps(int steps) {
    if (steps < 1) {
      throw new QuenchException("chunk length must be at least 1 step, got " + steps);
    }
    chunkSteps = steps;
    return this;
  }

  public int chunkSteps() {
    return chunkSteps;
  }

  /** Called after every chunk with the number of steps done so far in the current run. */
  public Session onProgress(LongConsumer stepsDone) {
    progress = Objects.requireNonNull(stepsDone, "stepsDone");
    return this;
  }

  /**
   * Attaches a probe, checking its population against the image's symbol table.
   *
   * @throws QuenchException when the population is unknown or the range lies outside it
   */
  public Session probe(Probe probe) {
    Symbol symbol = symbol(probe.population());
    int end = probe.count() < 0 ? symbol.getSize() : probe.first() + probe.count();
    if (probe.first() >= symbol.getSize() || end > symbol.getSize()) {
      throw new QuenchException("probe " + probe + " reaches beyond population '"
          + probe.population() + "' of " + symbol.getSize() + " neurons");
    }
    device.attach(probe);
    probes.add(probe);
    return this;
  }

  /** Attaches a probe of every neuron of {@code population}. */
  public Session probe(ProbeKind kind, String population) {
    return probe(Probe.of(kind, population));
  }

  /** Probes attached since the last load, in attach order. */
  public List<Probe> probes() {
    return Collections.unmodifiableList(probes);
  }

  /** The size of a population, by name. */
  public int populationSize(String population) {
    return symbol(population).getSize();
  }

  /** Output port widths by name, in image order. */
  public Map<String, Integer> outputPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    image().getOutputsList().forEach(p -> ports.put(p.getName(), p.getWidth()));
    return ports;
  }

  /** Input port widths by name, in image order. */
  public Map<String, Integer> inputPorts() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    image().getInputsList().forEach(p -> ports.put(p.getName(), p.getWidth()));
    return ports;
  }

  /** Runs one stimulus from the current state, unchunked. */
  public RunResult run(Stimulus stimulus) {
    image();
    return device.run(stimulus);
  }

  /**
   * Runs {@code steps} steps from the current state in chunks: input from {@code input}, outputs
   * to {@code sink} (whose {@link RunSink#finish()} is called at the end, also after an error; a
   * finish that fails after the run failed is kept as suppressed by the run's error).
   */
  public RunSummary run(long steps, InputSource input, RunSink sink) {
    image();
    if (steps < 0) {
      throw new QuenchException("a run needs a non-negative number of steps, got " + steps);
    }
    Map<String, Long> spikes = new LinkedHashMap<>();
    outputPorts().keySet().forEach(p -> spikes.put(p, 0L));
    long events = 0;
    long start = System.nanoTime();
    try {
      for (long done = 0; done < steps; ) {
        int n = (int) Math.min(chunkSteps, steps - done);
        Stimulus chunk = input.chunk(done, n);
        if (chunk.steps() != n) {
          throw new IllegalStateException("input source gave " + chunk.steps() + " steps for a chunk of "
              + n);
        }
        events += chunk.eventCount();
        RunResult result = device.run(chunk);
        result.outputs().forEach((port, e) -> spikes.merge(port, (long) e.count(), Long::sum));
        sink.accept(result);
        done += n;
        progress.accept(done);
      }
    } catch (RuntimeException | Error e) {
      finishAfter(sink, e);
      throw e;
    }
    sink.finish();
    return new RunSummary(steps, System.nanoTime() - start, events, spikes);
  }

  /** The current value of a probed variable (state after the last step run). */
  public int[] read(Probe probe) {
    symbol(probe.population());
    return device.read(probe);
  }

  /** {@link #read(Probe)} of a whole population. */
  public int[] read(ProbeKind kind, String population) {
    return read(Probe.of(kind, population));
  }

  /** Back to the state right after load (step 0, initial u and v, image biases). Probes stay. */
  public Session reset() {
    checkOpen();
    device.reset();
    return this;
  }

  /** Steps run since load or reset. */
  public long time() {
    return device.time();
  }

  /**
   * Runs one sample after another, each for {@code stepsPerSample} steps, with the network's state
   * cleared between samples, and returns each sample's result (sample-relative steps).
   *
   * <p>How state is cleared follows the image. If its neurons reset themselves periodically (Lava's
   * LIFReset, netx's {@code reset_interval}), the interval must equal {@code stepsPerSample} and the
   * samples run back to back on the device's clock, exactly as on a chip that streams samples. An
   * image without periodic reset gets {@link Device#reset()} before every sample but a first one
   * that starts at step 0. Each sample's results also go to {@code sink}.
   *
   * @throws QuenchException when the image resets with a period other than {@code stepsPerSample}
   */
  public List<RunResult> runSamples(List<? extends InputSource> samples, int stepsPerSample,
      RunSink sink) {
    image();
    if (stepsPerSample < 1) {
      throw new QuenchException("samples need at least 1 step each, got " + stepsPerSample);
    }
    int interval = resetInterval(image);
    if (interval > 0 && interval != stepsPerSample) {
      throw new QuenchException("the image resets its neurons every " + interval
          + " steps but samples are " + stepsPerSample + " steps long: use --steps " + interval
          + " per sample or recompile with a reset interval of " + stepsPerSample);
    }
    List<RunResult> results = new ArrayList<>(samples.size());
    try {
      for (InputSource sample : samples) {
        if (interval == 0 && device.time() != 0) {
          device.reset();
        }
        RunResult r = device.run(sample.chunk(0, stepsPerSample));
        sink.accept(r);
        results.add(r);
        progress.accept((long) results.size() * stepsPerSample);
      }
    } catch (RuntimeException | Error e) {
      finishAfter(sink, e);
      throw e;
    }
    sink.finish();
    return results;
  }

  /**
   * Finishes {@code sink} after the run failed with {@code failure}: a sink that cannot finish
   * (a recording on a full disk) does not hide why the run stopped, its error goes with it.
   */
  private static void finishAfter(RunSink sink, Throwable failure) {
    try {
      sink.finish();
    } catch (RuntimeException e) {
      if (e != failure) {
        failure.addSuppressed(e);
      }
    }
  }

  /**
   * The periodic reset interval shared by every neuron that resets, 0 when none does.
   *
   * @throws QuenchException when neurons reset with different periods (no sample length fits)
   */
  static int resetInterval(ChipImage image) {
    int found = 0;
    for (Core core : image.getCoresList()) {
      for (int i = 0; i < core.getNeuronCount(); i++) {
        DecayProfile p = core.getDecayProfiles(core.getDecayIndex(i));
        int interval = p.getResetInterval();
        if (interval == 0) {
          continue;
        }
        if (found != 0 && found != interval) {
          throw new QuenchException("the image resets neurons every " + found + " and every "
              + interval + " steps; samples need one common reset interval");
        }
        found = interval;
      }
    }
    return found;
  }

  private Symbol symbol(String population) {
    for (Symbol s : image().getSymbolsList()) {
      if (s.getPopulation().equals(population)) {
        return s;
      }
    }
    List<String> names = new ArrayList<>();
    image.getSymbolsList().forEach(s -> names.add(s.getPopulation()));
    throw new QuenchException("the image has no population '" + population + "'; it has " + names);
  }

  private void checkOpen() {
    if (closed) {
      throw new QuenchException("this session is closed; open a new one");
    }
  }

  /** Closes the device. Idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      device.close();
    }
  }
}
