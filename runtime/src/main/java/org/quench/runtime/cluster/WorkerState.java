package org.quench.runtime.cluster;

import com.hazelcast.core.HazelcastInstance;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.quench.hal.QuenchException;
import org.quench.runtime.work.WorkKind;

/**
 * A worker's own state, kept in its Hazelcast user context: the work kinds it knows (found with
 * {@link ServiceLoader}) and the last few campaigns' decoded contexts, so that a campaign's image
 * and samples are fetched and prepared once per worker, not once per item.
 */
final class WorkerState {
  /** The user-context key. */
  static final String KEY = "quench.worker";
  /** Decoded contexts kept (most recently used first out when full). */
  private static final int CONTEXTS_KEPT = 4;

  private final Map<String, WorkKind<?, ?, ?>> kinds = new HashMap<>();
  private final LinkedHashMap<String, CompletableFuture<Object>> contexts =
      new LinkedHashMap<>(8, 0.75f, true);
  /** Items this worker computed (not counting stored results it returned). */
  final AtomicLong computed = new AtomicLong();

  WorkerState() {
    for (WorkKind<?, ?, ?> k : ServiceLoader.load(WorkKind.class, WorkerState.class.getClassLoader())) {
      kinds.put(k.name(), k);
    }
  }

  static WorkerState of(HazelcastInstance member) {
    Object state = member.getUserContext().get(KEY);
    if (!(state instanceof WorkerState w)) {
      throw new QuenchException("member " + member.getName() + " is not a quench worker");
    }
    return w;
  }

  /** Runs one encoded item of {@code campaign} and returns its encoded result. */
  @SuppressWarnings("unchecked")
  byte[] run(String campaign, String kindName, byte[] item, Supplier<byte[]> contextBytes) {
    WorkKind<Object, Object, Object> kind = (WorkKind<Object, Object, Object>) kinds.get(kindName);
    if (kind == null) {
      throw new QuenchException("this worker does not know work of kind '" + kindName + "' (it knows "
          + kinds.keySet() + "); run the same quench jar on every machine");
    }
    Object context = context(campaign, kind, contextBytes);
    return kind.encodeResult(kind.run(context, kind.decodeItem(item)));
  }

  private Object context(String campaign, WorkKind<Object, Object, Object> kind,
      Supplier<byte[]> bytes) {
    CompletableFuture<Object> future;
    boolean mine = false;
    synchronized (contexts) {
      future = contexts.get(campaign);
      if (future == null) {
        future = new CompletableFuture<>();
        contexts.put(campaign, future);
        mine = true;
        Iterator<String> oldest = contexts.keySet().iterator();
        while (contexts.size() > CONTEXTS_KEPT) {
          oldest.next();
          oldest.remove();
        }
      }
    }
    if (mine) {
      try {
        byte[] b = bytes.get();
        if (b == null) {
          throw new QuenchException("campaign " + campaign.substring(0, 12) + " has no context in"
              + " the cluster (it finished, or the members holding it all left); rerun it");
        }
        future.complete(kind.decodeContext(b));
      } catch (RuntimeException e) {
        future.completeExceptionally(e);
        synchronized (contexts) {
          contexts.remove(campaign);
        }
      }
    }
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
