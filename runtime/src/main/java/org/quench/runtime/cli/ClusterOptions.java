package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.util.function.Consumer;
import org.quench.runtime.cluster.ClusterSettings;
import org.quench.runtime.cluster.ClusterWorkRunner;
import org.quench.runtime.work.ThreadWorkRunner;
import org.quench.runtime.work.WorkRunner;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The {@code --cluster}, {@code --cluster-name} and {@code --join-timeout} options of commands
 * that run independent work (a picocli mixin: {@code quench mismatch}, {@code quench study},
 * {@code quench worker}). Without {@code --cluster} the work runs on threads of this process and
 * nothing listens on the network. See docs/cluster.md.
 */
public final class ClusterOptions {
  @Option(names = "--cluster", paramLabel = "FILE|HOST:PORT,...",
      description = "Run on a Quench cluster: a Hazelcast XML/YAML configuration file, or the"
          + " workers' addresses (TCP-IP join list, e.g. 10.0.0.5:5701,10.0.0.6:5701)."
          + " Default: threads of this process.")
  String cluster;

  @Option(names = "--cluster-name", paramLabel = "NAME",
      description = "The cluster's name: separates clusters on one network (default: the file's,"
          + " else " + ClusterSettings.DEFAULT_NAME + ").")
  String clusterName;

  @Option(names = "--join-timeout", paramLabel = "SECONDS", defaultValue = "15",
      description = "Give up reaching the cluster, or waiting for a worker, after this long"
          + " (default: ${DEFAULT-VALUE}).")
  int joinTimeout;

  /** Whether {@code --cluster} was given. */
  public boolean enabled() {
    return cluster != null;
  }

  /**
   * The runner of this command line: {@code threads} threads here, or the cluster (connected now;
   * its membership events go to the command's stderr, one line each).
   */
  public WorkRunner runner(int threads, CommandSpec spec) {
    if (cluster == null) {
      return new ThreadWorkRunner(threads);
    }
    return ClusterWorkRunner.connect(ClusterSettings.coordinator(cluster, clusterName, joinTimeout,
        CommandSupport.debug(spec)), lines(spec));
  }

  /** A line printer on the command's stderr. */
  static Consumer<String> lines(CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    return line -> {
      synchronized (err) {
        err.println("quench: " + line);
        err.flush();
      }
    };
  }
}
