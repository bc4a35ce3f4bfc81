package org.quench.runtime.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.quench.hal.QuenchException;
import org.quench.runtime.io.ScratchDirectory;

/**
 * Workers in child JVMs on 127.0.0.1, each {@code quench worker} on this process's class path (the
 * caller names the command's main class: this package does not know the CLI),
 * forming a cluster of its own (a random name, free ports): what the cluster tests and
 * {@code quench bench --cluster-overhead} run against. Never binds another address. Each child
 * runs in an empty working directory of its own (removed on {@link #close()}), as a worker on
 * another machine would: a relative path of the coordinator's means nothing there, so anything a
 * worker needs must come with the work. Every child is killed and its directory removed on
 * {@link #close()}, and by a shutdown hook should this JVM end first (Ctrl-C, SIGTERM). That hook
 * removes the directories again once the children are dead (ScratchDirectory's own hook may run
 * first, while a child still writes), so what a dying child wrote last goes too.
 */
public final class WorkerProcesses implements AutoCloseable {
  /** The JVM flags Hazelcast wants on Java 17 (see the launcher jar's manifest). */
  static final List<String> JVM_FLAGS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  private final String name = "quench-" + UUID.randomUUID().toString().substring(0, 8);
  private final List<Process> processes = new ArrayList<>();
  private final List<List<String>> output = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final List<ScratchDirectory> directories = new ArrayList<>();
  private boolean quickStart;
  private final Thread killer = new Thread(this::killAllAndRemoveDirectories, "quench-worker-killer");

  private final List<String> workerCommand;

  private WorkerProcesses(List<String> workerCommand) {
    this.workerCommand = List.copyOf(workerCommand);
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Starts {@code count} workers ({@code workerCommand}: the main class and arguments that make a
   * {@code quench worker}, e.g. {@code [org.quench.runtime.cli.QuenchCli, worker]}) of {@code threads} threads each, all at once, and returns once
   * each of them sees all {@code count} members in its cluster, or throws after
   * {@code timeoutSeconds} (killing what it started). {@code quickStart} trades the workers' peak
   * speed for a faster start (only the JIT's first tier): for tests, not for measurements.
   */
  public static WorkerProcesses start(List<String> workerCommand, int count, int threads,
      int timeoutSeconds, boolean quickStart) {
    WorkerProcesses w = new WorkerProcesses(workerCommand);
    w.quickStart = quickStart;
    try {
      for (int i = 0; i < count; i++) {
        w.ports.add(freePort());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      for (int i = 0; i < count; i++) {
        w.launch(i, threads);
      }
      for (int i = 0; i < count; i++) {
        w.awaitLine(i, "(" + count + " members)", deadline);
      }
      return w;
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /** The cluster's name. */
  public String name() {
    return name;
  }

  /** The TCP-IP join list of the workers, {@code 127.0.0.1:P,...}. */
  public String joinList() {
    List<String> list = new ArrayList<>();
    for (int p : ports) {
      list.add("127.0.0.1:" + p);
    }
    return String.join(",", list);
  }

  /** What worker {@code i} printed so far, line by line. */
  public List<String> output(int i) {
    synchronized (output.get(i)) {
      return List.copyOf(output.get(i));
    }
  }

  /** Kills worker {@code i} at once (no graceful leave), as a crash or a pulled plug would. */
  public void kill(int i) {
    processes.get(i).destroyForcibly();
  }

  /** Starts another worker joining the same cluster (e.g. to replace a killed one). */
  public int add(int threads, int timeoutSeconds) {
    ports.add(freePort());
    int i = ports.size() - 1;
    launch(i, threads);
    awaitLine(i, "; ready", System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds));
    return i;
  }

  private void launch(int i, int threads) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    if (quickStart) {
      command.add("-XX:TieredStopAtLevel=1");
    }
    command.add("-cp");
    command.add(absoluteClassPath());
    command.addAll(workerCommand);
    command.add("--cluster");
    command.add(joinList());
    command.add("--cluster-name");
    command.add(name);
    command.add("--port");
    command.add(Integer.toString(ports.get(i)));
    command.add("--threads");
    command.add(Integer.toString(threads));
    Process p;
    try {
      ScratchDirectory directory = ScratchDirectory.create("quench-worker-");
      synchronized (processes) {
        directories.add(directory);
      }
      p = new ProcessBuilder(command).directory(directory.path().toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a worker JVM", e);
    }
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    synchronized (processes) {
      processes.add(p);
      output.add(lines);
    }
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // The process ended.
      }
    }, "quench-worker-output-" + i);
    reader.setDaemon(true);
    reader.start();
  }

  /** Waits until worker {@code i} has printed a line containing {@code text}. */
  private void awaitLine(int i, String text, long deadline) {
    List<String> lines = output.get(i);
    synchronized (lines) {
      while (lines.stream().noneMatch(l -> l.contains(text))) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0 || !processes.get(i).isAlive()) {
          throw new QuenchException("worker " + i + " did not print '" + text + "'"
              + (processes.get(i).isAlive() ? " in time" : "") + ": " + String.join(" | ", lines));
        }
        try {
          lines.wait(Math.min(left, 200));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new QuenchException("interrupted while starting workers");
        }
      }
    }
  }

  /** This JVM's class path with every entry absolute, for children started elsewhere. */
  static String absoluteClassPath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private void killAll() {
    synchronized (processes) {
      for (Process p : processes) {
        p.destroyForcibly();
      }
      for (Process p : processes) {
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private void killAllAndRemoveDirectories() {
    killAll();
    synchronized (processes) {
      for (ScratchDirectory directory : directories) {
        directory.close();
      }
      directories.clear();
    }
  }

  /** Kills every worker, waits for them to end and removes their working directories. */
  @Override
  public void close() {
    killAllAndRemoveDirectories();
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook runs anyway.
    }
  }
}
