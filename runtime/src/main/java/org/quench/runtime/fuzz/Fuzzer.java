package org.quench.runtime.fuzz;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.quench.hal.QuenchException;
import org.quench.runtime.io.ScratchDirectory;

/**
 * Runs seeded fuzz cases of one kind, each on its own thread under a watchdog that stops the case
 * when it uses more CPU time or allocates more bytes than the limits allow.
 *
 * <p>Case {@code i} of a run with seed {@code s} is fully determined by (kind, s, i), so any case
 * can be replayed alone. A case is {@link FuzzCase.Verdict#RAN} when the input went all the way
 * through, {@link FuzzCase.Verdict#REFUSED} when Quench refused it with a {@link QuenchException}
 * whose message is one clear line, and {@link FuzzCase.Verdict#FAILED} otherwise.
 */
public final class Fuzzer {
  /** A refusal longer than this is not "one clear line" (e.g. it echoes a whole field back). */
  static final int MAX_MESSAGE_CHARS = 2000;

  /**
   * Per-case limits.
   *
   * @param cpuMillis CPU time on the case's thread
   * @param allocatedBytes bytes allocated by the case's thread (a JVM-independent stand-in for a
   *     heap limit: a case that allocates less cannot need more heap)
   * @param wallMillis wall-clock time, a backstop for cases that wait instead of compute
   */
  public record Limits(long cpuMillis, long allocatedBytes, long wallMillis) {
    /** 5 s of CPU, 512 MiB allocated, 60 s wall clock. */
    public static Limits standard() {
      return new Limits(5_000, 512L << 20, 60_000);
    }
  }

  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final FuzzCorpus corpus;
  private final Limits limits;
  private final ScratchDirectory scratch;

  /**
   * A fuzzer over {@code corpus} that writes each case's input into {@code scratch}. Once the
   * scratch directory is closed (the JVM ending under a run) a case ends the run with a one-line
   * {@link QuenchException} instead of a verdict: its input may have gone mid-case.
   */
  public Fuzzer(FuzzCorpus corpus, Limits limits, ScratchDirectory scratch) {
    this.corpus = corpus;
    this.limits = limits;
    this.scratch = scratch;
    THREADS.setThreadAllocatedMemoryEnabled(true);
    THREADS.setThreadCpuTimeEnabled(true);
  }

  /** Runs cases {@code first .. first + count - 1} of {@code kind}, telling {@code each} each outcome. */
  public List<FuzzCase> run(FuzzKind kind, long seed, int first, int count, Consumer<FuzzCase> each) {
    if (corpus.size(kind) == 0) {
      throw new QuenchException("the fuzz corpus has no " + kind + " seeds; add a directory with such"
          + " files (--corpus)");
    }
    List<FuzzCase> out = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      FuzzCase c = runCase(kind, seed, i);
      out.add(c);
      each.accept(c);
    }
    return out;
  }

  /** The input of case {@code index}: which seed and what mutation, as bytes. */
  public byte[] input(FuzzKind kind, long seed, int index) {
    return mutant(kind, seed, index).mutant().bytes();
  }

  private record Made(FuzzCorpus.Seed seed, Mutant mutant) {}

  private Made mutant(FuzzKind kind, long seed, int index) {
    SplittableRandom random = new SplittableRandom(mix(seed, kind.ordinal(), index));
    List<FuzzCorpus.Seed> seeds = usable(kind);
    FuzzCorpus.Seed s = seeds.get(random.nextInt(seeds.size()));
    return new Made(s, FuzzTargets.mutant(kind, s, random));
  }

  static long mix(long seed, int kind, int index) {
    long z = seed * 0x9E3779B97F4A7C15L + kind * 0xBF58476D1CE4E5B9L + index;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  FuzzCase runCase(FuzzKind kind, long seed, int index) {
    Made made = mutant(kind, seed, index);
    Outcome o = execute(kind, made.mutant().bytes());
    return new FuzzCase(kind, index, made.seed().origin(), made.mutant().description(), o.verdict(),
        o.message(), o.cpuMillis(), o.allocatedBytes());
  }

  record Outcome(FuzzCase.Verdict verdict, String message, long cpuMillis,
      long allocatedBytes, boolean overLimit) {}

  /** Runs one input on a watched thread and classifies how it ended. */
  Outcome execute(FuzzKind kind, byte[] input) {
    Path file = scratch.write(kind.label() + "/case" + kind.suffix(), input);
    Throwable[] thrown = new Throwable[1];
    long[] used = new long[2];
    Thread worker = new Thread(() -> {
      try {
        FuzzTargets.exercise(kind, file, corpus);
      } catch (Throwable t) { // classify everything, including errors
        thrown[0] = t;
      } finally {
        used[0] = THREADS.getCurrentThreadCpuTime();
        used[1] = THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
      }
    }, "fuzz-" + kind.label());
    worker.setDaemon(true);
    String overLimit = watch(worker);
    long cpu = Math.max(used[0], lastCpu) / 1_000_000;
    long allocated = Math.max(used[1], lastAllocated);
    if (overLimit == null && cpu > limits.cpuMillis()) {
      overLimit = "over the time limit: " + cpu + " ms CPU, limit " + limits.cpuMillis();
    } else if (overLimit == null && allocated > limits.allocatedBytes()) {
      overLimit = "over the memory limit: " + (allocated >> 20) + " MiB allocated, limit "
          + (limits.allocatedBytes() >> 20);
    }
    if (scratch.isClosed()) {
      // Removed under the case (a shutdown hook): whatever it ended with says nothing of the input.
      throw new QuenchException("the fuzz run ended before " + kind.label() + " case finished: its"
          + " scratch directory " + scratch.path() + " was removed");
    }
    FuzzCase.Verdict verdict;
    String message;
    if (overLimit != null) {
      verdict = FuzzCase.Verdict.FAILED;
      message = overLimit;
    } else if (thrown[0] == null) {
      verdict = FuzzCase.Verdict.RAN;
      message = null;
    } else if (thrown[0] instanceof QuenchException q && clear(q.getMessage())) {
      verdict = FuzzCase.Verdict.REFUSED;
      message = q.getMessage();
    } else {
      verdict = FuzzCase.Verdict.FAILED;
      message = failure(thrown[0]);
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the scratch directory is the caller's to clean up
    }
    return new Outcome(verdict, message, cpu, allocated, overLimit != null);
  }

  /**
   * The seeds of {@code kind} whose unmutated input stays within the limits. A seed that is
   * itself too costly (a large real model) says nothing about damaged input: its mutants would fail
   * the limits for the seed's size, not for the damage.
   */
  private List<FuzzCorpus.Seed> usable(FuzzKind kind) {
    return usable.computeIfAbsent(kind, k -> {
      List<FuzzCorpus.Seed> keep = new ArrayList<>();
      for (FuzzCorpus.Seed s : corpus.seeds(k)) {
        Outcome o = execute(k, s.bytes());
        if (o.overLimit()) {
          excluded.add(k + " seed " + s.origin() + " is too costly unmutated (" + o.message() + ")");
        } else {
          keep.add(s);
        }
      }
      if (keep.isEmpty()) {
        throw new QuenchException("no " + k + " seed stays within the fuzz limits unmutated: " + excluded);
      }
      return keep;
    });
  }

  /** Seeds left out because they exceed the limits unmutated, one line each. */
  public List<String> excludedSeeds() {
    return List.copyOf(excluded);
  }

  private final Map<FuzzKind, List<FuzzCorpus.Seed>> usable = new EnumMap<>(FuzzKind.class);
  private final List<String> excluded = new ArrayList<>();

  private long lastCpu;
  private long lastAllocated;

  /** Runs {@code worker} to its end or its limit; returns why it was stopped, or null. */
  @SuppressWarnings({"deprecation", "removal"})
  private String watch(Thread worker) {
    lastCpu = 0;
    lastAllocated = 0;
    long id = worker.getId();
    long start = System.nanoTime();
    worker.start();
    while (true) {
      try {
        worker.join(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        worker.stop();
        return "interrupted";
      }
      long cpu = THREADS.getThreadCpuTime(id);
      long allocated = THREADS.getThreadAllocatedBytes(id);
      if (!worker.isAlive()) {
        return null;
      }
      // a finished thread reports -1; only live readings count
      lastCpu = Math.max(lastCpu, cpu);
      lastAllocated = Math.max(lastAllocated, allocated);
      String over = null;
      if (lastCpu / 1_000_000 > limits.cpuMillis()) {
        over = "over the time limit: more than " + limits.cpuMillis() + " ms CPU";
      } else if (lastAllocated > limits.allocatedBytes()) {
        over = "over the memory limit: more than " + (limits.allocatedBytes() >> 20) + " MiB allocated";
      } else if ((System.nanoTime() - start) / 1_000_000 > limits.wallMillis()) {
        over = "over the wall-clock limit: more than " + limits.wallMillis() + " ms";
      }
      if (over != null) {
        // The case is lost either way; stopping its thread keeps the run (and the JVM) going.
        worker.stop();
        try {
          worker.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return over;
      }
    }
  }

  /** A message fit to show a user: present, one line, not an essay. */
  static boolean clear(String message) {
    return message != null && !message.isBlank() && message.length() <= MAX_MESSAGE_CHARS
        && message.indexOf('\n') < 0;
  }

  private static String failure(Throwable t) {
    if (t instanceof QuenchException) {
      String m = String.valueOf(t.getMessage());
      return "QuenchException with an unclear message (" + m.length() + " chars"
          + (m.indexOf('\n') >= 0 ? ", several lines" : "") + "): "
          + m.substring(0, Math.min(m.length(), 200));
    }
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    String[] lines = trace.toString().split("\\R");
    StringBuilder b = new StringBuilder(t.toString());
    for (int i = 1; i < Math.min(lines.length, 6); i++) {
      b.append(" | ").append(lines[i].strip());
    }
    return b.toString();
  }
}
