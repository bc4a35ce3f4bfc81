package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.quench.runtime.cluster.ClusterSettings;
import org.quench.runtime.cluster.ClusterWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quench worker}: starts a cluster member that runs the items of campaigns and studies sent
 * by coordinators ({@code quench mismatch --cluster}, {@code quench study ... --cluster}) and
 * stores their results, until stopped (Ctrl-C leaves the cluster gracefully). See docs/cluster.md.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
    versionProvider = QuenchCli.Version.class,
    description = {"Start a cluster worker: a Hazelcast member that runs the chips of campaigns and"
        + " the rows of studies that coordinators send it, and stores their results.",
        "Members join by TCP-IP only (no multicast, no phone-home) and listen on one interface."
            + " Hazelcast has no TLS or authentication: run workers on a trusted network only"
            + " (docs/cluster.md)."},
    footerHeading = "%nExamples:%n",
    footer = {"  quench worker                                         alone on 127.0.0.1:5701",
        "  quench worker --cluster 10.0.0.5,10.0.0.6,10.0.0.7   on each of three machines",
        "  quench worker --cluster lab-cluster.yaml --threads 8",
        "  quench mismatch m.qimg --variability analog --chips 5000 --cluster 10.0.0.5,10.0.0.6"})
final class WorkerCommand implements Callable<Integer> {
  @Mixin
  ClusterOptions cluster;

  @Option(names = "--bind", paramLabel = "ADDRESS",
      description = "Listen on this interface (default: the --cluster entry that is an address of"
          + " this machine; 127.0.0.1 without --cluster).")
  String bind;

  @Option(names = "--port", paramLabel = "N",
      description = "Listen on this port (default: the port --cluster lists for this machine,"
          + " else the first free of 5701-5703).")
  Integer port;

  @Option(names = "--threads", paramLabel = "N",
      description = "Items run at once (default: available processors, ${DEFAULT-VALUE}).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    ClusterSettings settings = new ClusterSettings(cluster.cluster, cluster.clusterName,
        cluster.joinTimeout, bind, port, threads, CommandSupport.debug(spec));
    ClusterWorker worker = ClusterWorker.start(settings, line -> {
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    });
    worker.awaitStop();
    return 0;
  }
}
