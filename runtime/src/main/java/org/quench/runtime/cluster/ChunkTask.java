package org.quench.runtime.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;
import org.quench.hal.QuenchException;

/**
 * A few items of one campaign, sent by the coordinator to one worker, run on the worker's
 * executor. For each item the worker first looks in the campaign's result map: a stored result
 * (from an earlier, interrupted run, or from a member that died after storing it) is returned as
 * is; otherwise the item runs and its result is stored with {@code putIfAbsent}, so a result is
 * stored once however often its item runs (docs/cluster.md, "Faults"). The chunk carries item
 * keys and item bytes only; the campaign's context comes from the {@value #CONTEXTS} map, once per
 * worker.
 */
final class ChunkTask implements Callable<ChunkOutcome>, DataSerializable, HazelcastInstanceAware {
  /** The executor service workers run chunks on. */
  static final String EXECUTOR = "quench.work";
  /** Campaign key to encoded context. */
  static final String CONTEXTS = "quench.contexts";
  /** Prefix of the result maps, one per campaign: item key to encoded result. */
  static final String RESULTS = "quench.results.";
  /** The member attribute that marks a worker: its thread count. */
  static final String THREADS_ATTRIBUTE = "quench.threads";

  String campaign;
  String kind;
  String[] keys;
  byte[][] items;
  private transient HazelcastInstance member;

  ChunkTask() {}

  ChunkTask(String campaign, String kind, String[] keys, byte[][] items) {
    this.campaign = campaign;
    this.kind = kind;
    this.keys = keys;
    this.items = items;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    member = instance;
  }

  @Override
  public ChunkOutcome call() {
    String where = member.getCluster().getLocalMember().getAddress().toString();
    ChunkOutcome out = new ChunkOutcome(keys.length, where);
    WorkerState state = WorkerState.of(member);
    IMap<String, byte[]> results = member.getMap(RESULTS + campaign);
    for (int i = 0; i < keys.length; i++) {
      try {
        byte[] stored = results.get(keys[i]);
        if (stored != null) {
          out.results[i] = stored;
          out.how[i] = ChunkOutcome.STORED;
          continue;
        }
        byte[] result = state.run(campaign, kind, items[i],
            () -> member.<String, byte[]>getMap(CONTEXTS).get(campaign));
        byte[] first = results.putIfAbsent(keys[i], result);
        out.results[i] = first != null ? first : result;
        out.how[i] = first != null ? ChunkOutcome.REDUNDANT : ChunkOutcome.COMPUTED;
        state.computed.incrementAndGet();
      } catch (QuenchException e) {
        out.failure = "on worker " + where + ": " + e.getMessage();
        return out;
      } catch (RuntimeException e) {
        out.failure = "on worker " + where + ": item " + keys[i] + " failed: " + e;
        return out;
      }
    }
    return out;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(campaign);
    out.writeString(kind);
    out.writeStringArray(keys);
    out.writeInt(items.length);
    for (byte[] item : items) {
      out.writeByteArray(item);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    campaign = in.readString();
    kind = in.readString();
    keys = in.readStringArray();
    items = new byte[in.readInt()][];
    for (int i = 0; i < items.length; i++) {
      items[i] = in.readByteArray();
    }
  }
}
