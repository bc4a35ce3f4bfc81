package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.QuenchException;
import org.quench.runtime.work.WorkBytes;
import org.quench.runtime.work.WorkKind;

/**
 * The study's work items as work for any {@link org.quench.runtime.work.WorkRunner} (threads here,
 * or the workers of a cluster: docs/cluster.md). A {@link WorkItem} names everything it computes
 * from (drive, configuration, seed, task ids), so the shared context is only the study's format
 * version; an item travels as its fields, a result as its numbers (IEEE bits, so the CSV written
 * from a cluster run equals the one written here).
 */
public final class StudyWork implements WorkKind<String, WorkItem, Map<String, RowResult>> {
  /** The one instance the study uses. */
  static final StudyWork KIND = new StudyWork();
  /** The context: what a member must agree on to run an item the same way. */
  static final String CONTEXT = "heterogeneity-study/1";

  /** For {@link java.util.ServiceLoader}. */
  public StudyWork() {}

  @Override
  public String name() {
    return "heterogeneity-study";
  }

  @Override
  public String key(WorkItem item) {
    List<String> ids = new ArrayList<>();
    for (Task t : item.tasks()) {
      ids.add(t.id());
    }
    return StudyCsv.key(item.drive().id(), item.config().columns(), item.seed()) + "|"
        + String.join(";", ids);
  }

  @Override
  public Map<String, RowResult> run(String context, WorkItem item) {
    if (!CONTEXT.equals(context)) {
      throw new QuenchException("study items of format '" + context + "' cannot run here ("
          + CONTEXT + "); run the same quench jar on every machine");
    }
    try {
      return item.run();
    } catch (QuenchException e) {
      throw new QuenchException("study item " + StudyRunner.describe(item) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("study item " + StudyRunner.describe(item) + " failed: " + e, e);
    }
  }

  @Override
  public byte[] encodeContext(String context) {
    return WorkBytes.write(out -> out.writeUTF(context));
  }

  @Override
  public String decodeContext(byte[] bytes) {
    return WorkBytes.read(bytes, "the study's context", in -> in.readUTF());
  }

  @Override
  public byte[] encodeItem(WorkItem item) {
    return WorkBytes.write(out -> {
      out.writeUTF(item.drive().id());
      Map<String, String> columns = item.config().columns();
      out.writeInt(columns.size());
      for (Map.Entry<String, String> c : columns.entrySet()) {
        out.writeUTF(c.getKey());
        out.writeUTF(c.getValue());
      }
      out.writeLong(item.seed());
      out.writeInt(item.tasks().size());
      for (Task t : item.tasks()) {
        out.writeUTF(t.id());
      }
    });
  }

  @Override
  public WorkItem decodeItem(byte[] bytes) {
    return WorkBytes.read(bytes, "a study item", in -> {
      Drive drive = Drive.byId(in.readUTF());
      Map<String, String> columns = new LinkedHashMap<>();
      int n = in.readInt();
      for (int c = 0; c < n; c++) {
        columns.put(in.readUTF(), in.readUTF());
      }
      long seed = in.readLong();
      List<Task> tasks = new ArrayList<>();
      int t = in.readInt();
      for (int k = 0; k < t; k++) {
        tasks.add(TaskSuite.byId(in.readUTF()));
      }
      return new WorkItem(drive, ReservoirConfig.fromColumns(columns), seed, tasks);
    });
  }

  @Override
  public byte[] encodeResult(Map<String, RowResult> results) {
    return WorkBytes.write(out -> {
      out.writeInt(results.size());
      for (Map.Entry<String, RowResult> e : results.entrySet()) {
        RowResult r = e.getValue();
        out.writeUTF(e.getKey());
        out.writeDouble(r.nrmse());
        out.writeDouble(r.trainNrmse());
        out.writeDouble(r.lambda());
        out.writeDouble(r.activity());
        out.writeDouble(r.tauMeanRealised());
        out.writeDouble(r.tauCvRealised());
        out.writeInt(r.decaysRequested());
        out.writeInt(r.decaysRealised());
        out.writeDouble(r.tauErrorP95());
      }
    });
  }

  @Override
  public Map<String, RowResult> decodeResult(byte[] bytes) {
    return WorkBytes.read(bytes, "a study item's result", in -> {
      Map<String, RowResult> results = new LinkedHashMap<>();
      int n = in.readInt();
      for (int k = 0; k < n; k++) {
        results.put(in.readUTF(), new RowResult(in.readDouble(), in.readDouble(), in.readDouble(),
            in.readDouble(), in.readDouble(), in.readDouble(), in.readInt(), in.readInt(),
            in.readDouble()));
      }
      return results;
    });
  }
}
