package org.quench.runtime.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.quench.hal.QuenchException;

/**
 * A cluster member that only does work ({@code quench worker}): it holds a share of the stored
 * results (each with one asynchronous backup on another member) and runs the items coordinators send it on
 * {@code threads} threads. It logs one line per membership event; Hazelcast's own log is off
 * unless {@code debug}. Listens on one interface only (docs/cluster.md, "Security").
 */
public final class ClusterWorker implements AutoCloseable {
  private final HazelcastInstance member;
  private final WorkerState state;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private ClusterWorker(HazelcastInstance member, WorkerState state) {
    this.member = member;
    this.state = state;
  }

  /** Starts a worker and joins (or forms) the cluster; {@code log} gets one line per event. */
  public static ClusterWorker start(ClusterSettings settings, Consumer<String> log) {
    Config config = settings.memberConfig();
    WorkerState state = new WorkerState();
    ConcurrentMap<String, Object> user = new ConcurrentHashMap<>();
    user.put(WorkerState.KEY, state);
    config.setUserContext(user);
    config.getMemberAttributeConfig().setAttribute(ChunkTask.THREADS_ATTRIBUTE,
        Integer.toString(settings.threads()));
    config.getExecutorConfig(ChunkTask.EXECUTOR).setPoolSize(settings.threads()).setQueueCapacity(0);
    // Results are backed up asynchronously: a synchronous backup makes every store wait for the
    // backup's acknowledgement, and on a cluster that has just gained a member those waits ran
    // into Hazelcast's 5 s backup timeout (a 300-chip campaign took 60 s instead of 6 s). A
    // backup that did not land before its member died costs a recomputation, never a lost or
    // doubly counted item (docs/cluster.md, "Faults").
    config.getMapConfig(ChunkTask.RESULTS + "*").setBackupCount(0).setAsyncBackupCount(1);
    String cluster = config.getClusterName();
    config.addListenerConfig(new com.hazelcast.config.ListenerConfig(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        if (e.getMember().localMember()) {
          return; // the "ready" line says it
        }
        log.accept("worker " + e.getMember().getAddress() + " joined cluster '" + cluster + "' ("
            + e.getMembers().size() + " members)");
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        log.accept("member " + e.getMember().getAddress() + " left cluster '" + cluster + "' ("
            + e.getMembers().size() + " members)");
      }
    }));
    HazelcastInstance member;
    try {
      member = Hazelcast.newHazelcastInstance(config);
    } catch (RuntimeException e) {
      throw new QuenchException("cannot start a worker of " + settings.describe() + ": "
          + ClusterSettings.firstLine(e));
    }
    ClusterWorker worker = new ClusterWorker(member, state);
    member.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
        worker.stopped.countDown();
      }
    });
    Member self = member.getCluster().getLocalMember();
    log.accept("quench worker " + self.getAddress() + " in cluster '" + cluster + "' ("
        + member.getCluster().getMembers().size() + " members), " + settings.threads()
        + " threads; ready");
    return worker;
  }

  /** The address this worker listens on, e.g. {@code 127.0.0.1:5701}. */
  public String address() {
    var a = member.getCluster().getLocalMember().getAddress();
    return a.getHost() + ":" + a.getPort();
  }

  /** Members in the cluster now, this one included. */
  public int members() {
    return member.getCluster().getMembers().size();
  }

  /** Items this worker has computed so far. */
  public long computed() {
    return state.computed.get();
  }

  /** Blocks until the worker stops (it is shut down, or the process is asked to stop). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** Leaves the cluster gracefully: its share of the stored results moves to the others first. */
  @Override
  public void close() {
    member.shutdown();
  }
}
