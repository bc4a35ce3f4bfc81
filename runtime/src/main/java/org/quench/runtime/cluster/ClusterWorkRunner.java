package org.quench.runtime.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.map.IMap;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.quench.hal.QuenchException;
import org.quench.runtime.work.WorkKind;
import org.quench.runtime.work.WorkListener;
import org.quench.runtime.work.WorkReport;
import org.quench.runtime.work.WorkRunner;

/**
 * Runs work on the workers of a Hazelcast cluster, as a client of it (the coordinator: it holds
 * no data and runs no items, and it listens on no port; docs/cluster.md says why a client).
 *
 * <p>A run's campaign key is the SHA-256 of (kind, encoded context, item keys): the same command
 * gives the same key. The context is stored once under that key; results go to a map of their
 * own, keyed by item. A run first takes every result already stored (an interrupted run of the
 * same campaign resumes), then sends the rest in small chunks to the workers, keeping each busy
 * with about two chunks per thread. When a worker leaves, its unfinished chunks go to the others;
 * results it stored normally survive in their asynchronous backups and are not computed again.
 * When every item is done the campaign's context and results are removed from the cluster.
 */
public final class ClusterWorkRunner implements WorkRunner {
  /** Chunks sent again for one item before the run gives up (each after its member left). */
  private static final int MAX_RETRIES = 20;

  private final HazelcastInstance client;
  private final ClusterSettings settings;
  private final Consumer<String> log;
  private WorkReport last = new WorkReport(0, 0, 0, 0, 0);

  private ClusterWorkRunner(HazelcastInstance client, ClusterSettings settings, Consumer<String> log) {
    this.client = client;
    this.settings = settings;
    this.log = log;
  }

  /**
   * Connects to the cluster as a client, within the settings' join timeout; {@code log} gets one
   * line per membership event.
   */
  public static ClusterWorkRunner connect(ClusterSettings settings, Consumer<String> log) {
    var config = settings.clientConfig();
    HazelcastInstance client;
    try {
      client = HazelcastClient.newHazelcastClient(config);
    } catch (RuntimeException e) {
      throw new QuenchException("cannot reach " + settings.describe() + " (cluster name '"
          + config.getClusterName() + "') within " + settings.joinTimeoutSeconds() + " s: start"
          + " workers there with 'quench worker --cluster ...', check the addresses and"
          + " --cluster-name, or raise --join-timeout");
    }
    ClusterWorkRunner runner = new ClusterWorkRunner(client, settings, log);
    client.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {
        log.accept("cluster: worker " + e.getMember().getAddress() + " joined (" + e.getMembers().size()
            + " members)");
      }

      @Override
      public void memberRemoved(MembershipEvent e) {
        log.accept("cluster: worker " + e.getMember().getAddress() + " left (" + e.getMembers().size()
            + " members); its unfinished items run elsewhere");
      }
    });
    return runner;
  }

  @Override
  public String where() {
    int workers = 0;
    int threads = 0;
    for (Member m : client.getCluster().getMembers()) {
      int t = threadsOf(m);
      if (t > 0) {
        workers++;
        threads += t;
      }
    }
    return "cluster '" + client.getConfig().getClusterName() + "' (" + workers
        + (workers == 1 ? " worker, " : " workers, ") + threads + " threads)";
  }

  @Override
  public WorkReport lastReport() {
    return last;
  }

  private static int threadsOf(Member m) {
    String t = m.getAttribute(ChunkTask.THREADS_ATTRIBUTE);
    if (t == null || m.isLiteMember()) {
      return 0;
    }
    try {
      return Math.max(1, Integer.parseInt(t));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A chunk's end, as its callback reports it. */
  private record Finished(int[] chunk, UUID member, ChunkOutcome outcome, Throwable error) {}

  @Override
  public <C, I, R> List<R> run(WorkKind<C, I, R> kind, C context, List<I> items,
      WorkListener<R> listener) {
    int n = items.size();
    String[] keys = new String[n];
    byte[][] encoded = new byte[n][];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      keys[i] = kind.key(items.get(i));
      if (index.put(keys[i], i) != null) {
        throw new IllegalArgumentException("two items have the key " + keys[i]);
      }
      encoded[i] = kind.encodeItem(items.get(i));
    }
    byte[] contextBytes = kind.encodeContext(context);
    String campaign = campaignKey(kind.name(), contextBytes, keys);
    IMap<String, byte[]> contexts;
    IMap<String, byte[]> results;
    @SuppressWarnings("unchecked")
    R[] out = (R[]) new Object[n];
    boolean[] done = new boolean[n];
    long count = 0;
    long resumed = 0;
    long computed = 0;
    long redundant = 0;
    long retried = 0;
    try {
      contexts = client.getMap(ChunkTask.CONTEXTS);
      if (!contexts.containsKey(campaign)) {
        contexts.set(campaign, contextBytes);
      }
      results = client.getMap(ChunkTask.RESULTS + campaign);
      for (int from = 0; from < n; from += 1000) {
        Set<String> batch = new HashSet<>(Arrays.asList(keys).subList(from, Math.min(n, from + 1000)));
        for (Map.Entry<String, byte[]> e : results.getAll(batch).entrySet()) {
          int i = index.get(e.getKey());
          out[i] = kind.decodeResult(e.getValue());
          done[i] = true;
          resumed++;
          listener.finished(i, out[i], ++count);
        }
      }
      if (resumed > 0) {
        log.accept("cluster: " + resumed + " of " + n + " items already stored; resuming");
      }
      Deque<Integer> pending = new ArrayDeque<>();
      for (int i = 0; i < n; i++) {
        if (!done[i]) {
          pending.add(i);
        }
      }
      int[] attempts = new int[n];
      BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
      Map<UUID, Integer> inFlight = new HashMap<>();
      // A member whose chunk failed gets nothing new for a while: it may be dead but still listed.
      Map<UUID, Long> avoidUntil = new HashMap<>();
      IExecutorService executor = client.getExecutorService(ChunkTask.EXECUTOR);
      long noWorkersSince = 0;
      while (count < n) {
        List<Member> workers = new ArrayList<>();
        int slots = 0;
        for (Member m : client.getCluster().getMembers()) {
          if (threadsOf(m) > 0) {
            workers.add(m);
            slots += 2 * threadsOf(m);
          }
        }
        if (workers.isEmpty() && inFlight.isEmpty()) {
          long now = System.nanoTime();
          if (noWorkersSince == 0) {
            noWorkersSince = now;
            log.accept("cluster: no worker in the cluster; waiting up to "
                + settings.joinTimeoutSeconds() + " s for one");
          } else if (now - noWorkersSince > settings.joinTimeoutSeconds() * 1_000_000_000L) {
            throw new QuenchException(settings.describe() + " has no quench worker (waited "
                + settings.joinTimeoutSeconds() + " s); start one with 'quench worker --cluster ...'"
                + " and rerun: the " + count + " items done are kept");
          }
        } else {
          noWorkersSince = 0;
        }
        boolean sent = true;
        while (sent && !pending.isEmpty()) {
          sent = false;
          for (Member m : workers) {
            int busy = inFlight.getOrDefault(m.getUuid(), 0);
            Long avoid = avoidUntil.get(m.getUuid());
            if (pending.isEmpty() || busy >= 2 * threadsOf(m)
                || (avoid != null && System.nanoTime() < avoid)) {
              continue;
            }
            // About eight chunks per slot: a slow worker holds back at most a small tail.
            int size = (int) Math.max(1, Math.min(16, pending.size() / Math.max(1, 8L * slots)));
            int[] chunk = new int[Math.min(size, pending.size())];
            String[] chunkKeys = new String[chunk.length];
            byte[][] chunkItems = new byte[chunk.length][];
            for (int k = 0; k < chunk.length; k++) {
              chunk[k] = pending.poll();
              chunkKeys[k] = keys[chunk[k]];
              chunkItems[k] = encoded[chunk[k]];
            }
            UUID uuid = m.getUuid();
            inFlight.merge(uuid, 1, Integer::sum);
            executor.submitToMember(new ChunkTask(campaign, kind.name(), chunkKeys, chunkItems), m,
                new ExecutionCallback<ChunkOutcome>() {
                  @Override
                  public void onResponse(ChunkOutcome response) {
                    finished.add(new Finished(chunk, uuid, response, null));
                  }

                  @Override
                  public void onFailure(Throwable t) {
                    finished.add(new Finished(chunk, uuid, null, t));
                  }
                });
            sent = true;
          }
        }
        Finished f = finished.poll(200, TimeUnit.MILLISECONDS);
        if (f == null) {
          continue;
        }
        inFlight.merge(f.member(), -1, Integer::sum);
        if (inFlight.get(f.member()) <= 0) {
          inFlight.remove(f.member());
        }
        if (f.error() != null) {
          if (!client.getLifecycleService().isRunning()) {
            throw lost(count);
          }
          if (!memberGone(f.error()) && isMember(f.member())) {
            throw new QuenchException("a chunk of items failed on worker " + memberName(f.member())
                + ": " + ClusterSettings.firstLine(f.error()));
          }
          retried++;
          avoidUntil.put(f.member(), System.nanoTime() + 3_000_000_000L);
          for (int k = f.chunk().length - 1; k >= 0; k--) {
            int i = f.chunk()[k];
            if (++attempts[i] > MAX_RETRIES) {
              throw new QuenchException("item " + keys[i] + " was sent " + MAX_RETRIES + " times and"
                  + " its worker failed each time; last: " + ClusterSettings.firstLine(f.error()));
            }
            pending.addFirst(i);
          }
          continue;
        }
        ChunkOutcome o = f.outcome();
        for (int k = 0; k < f.chunk().length; k++) {
          int i = f.chunk()[k];
          if (o.results[k] == null) {
            pending.addFirst(i);
            continue;
          }
          out[i] = kind.decodeResult(o.results[k]);
          done[i] = true;
          switch (o.how[k]) {
            case ChunkOutcome.COMPUTED -> computed++;
            case ChunkOutcome.STORED -> resumed++;
            default -> {
              computed++;
              redundant++;
            }
          }
          listener.finished(i, out[i], ++count);
        }
        if (o.failure != null) {
          throw new QuenchException(o.failure);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuenchException("interrupted after " + count + " of " + n + " items; rerun the same"
          + " command to resume from what the cluster stored");
    } catch (com.hazelcast.core.HazelcastException | IllegalStateException e) {
      if (!client.getLifecycleService().isRunning()) {
        throw lost(count);
      }
      throw e;
    }
    last = new WorkReport(n, resumed, computed - redundant, redundant, retried);
    results.destroy();
    contexts.delete(campaign);
    return Arrays.asList(out);
  }

  /** Whether {@code error} says the chunk's member left or cannot be reached (so: send again). */
  private static boolean memberGone(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof com.hazelcast.spi.exception.RetryableException
          || t instanceof com.hazelcast.spi.exception.TargetDisconnectedException
          || t instanceof com.hazelcast.core.HazelcastInstanceNotActiveException
          || t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  private boolean isMember(UUID uuid) {
    return client.getCluster().getMembers().stream().anyMatch(m -> m.getUuid().equals(uuid));
  }

  private String memberName(UUID uuid) {
    return client.getCluster().getMembers().stream().filter(m -> m.getUuid().equals(uuid))
        .map(m -> m.getAddress().toString()).findFirst().orElse(uuid.toString());
  }

  private QuenchException lost(long count) {
    return new QuenchException("lost the connection to " + settings.describe() + " after " + count
        + " items; rerun the same command to resume from what the cluster kept");
  }

  /**
   * The campaign key a run of {@code items} with {@code context} is stored under: the same for the
   * same work (a rerun resumes from it), different when the context or the items differ.
   */
  public static <C, I> String campaignKey(WorkKind<C, I, ?> kind, C context, List<I> items) {
    String[] keys = new String[items.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = kind.key(items.get(i));
    }
    return campaignKey(kind.name(), kind.encodeContext(context), keys);
  }

  /** SHA-256 of the kind, the context and the item keys: equal inputs give equal campaigns. */
  private static String campaignKey(String kind, byte[] context, String[] keys) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(kind.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(context);
      for (String k : keys) {
        md.update((byte) 0);
        md.update(k.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  /** Disconnects from the cluster (the workers and what they store stay). */
  @Override
  public void close() {
    client.shutdown();
  }
}
