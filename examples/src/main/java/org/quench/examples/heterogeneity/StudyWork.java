package org.quench.examples.heterogeneity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.quench.hal.ChipImages;
import org.quench.hal.QuenchException;
import org.quench.hal.VariabilityModel;
import org.quench.hal.proto.VariabilityModelData;
import org.quench.runtime.work.WorkBytes;
import org.quench.runtime.work.WorkKind;

/**
 * The study's work items as work for any {@link org.quench.runtime.work.WorkRunner} (threads here,
 * or the workers of a cluster: docs/cluster.md). A {@link WorkItem} names everything it computes
 * from (drive, configuration, seed, task ids), so the shared context is the study's format version
 * and the content of every variability model file its chips' device URIs name; an item travels as
 * its fields, a result as its numbers (IEEE bits, so the CSV written from a cluster run equals the
 * one written here).
 *
 * <p>A member needs none of the coordinator's files: it writes each model it received to a file
 * of its own (named by the content's hash) and runs the item on that file, the item's device URI
 * otherwise unchanged. The context, hence a cluster study's key, changes with a model file's
 * content.
 */
public final class StudyWork implements WorkKind<StudyWork.Context, WorkItem, Map<String, RowResult>> {
  /** The one instance the study uses. */
  static final StudyWork KIND = new StudyWork();
  /** What a member must agree on to run an item the same way. */
  static final String FORMAT = "heterogeneity-study/1";
  private static final String VARIABILITY = "&variability=";

  /** Models received from coordinators, written once per content: hash -> local file. */
  private static final Map<String, Path> RECEIVED = new ConcurrentHashMap<>();

  /**
   * The study's shared context.
   *
   * @param format {@link #FORMAT} where it was made
   * @param models each variability model file a chip's device URI names (as the URI names it) and
   *     the model's protobuf bytes, read once by the coordinator
   * @param received whether this context came over the wire (its files are not this machine's)
   */
  record Context(String format, SortedMap<String, byte[]> models, boolean received) {}

  /** The context of {@code items}: reads each variability model file their devices name. */
  static Context context(List<WorkItem> items) {
    SortedMap<String, byte[]> models = new TreeMap<>();
    for (WorkItem item : items) {
      String level = variability(item.config().device());
      if (level != null && !VariabilityModel.PRESETS.contains(level) && !models.containsKey(level)) {
        models.put(level, VariabilityModel.resolve(level).data().toByteArray());
      }
    }
    return new Context(FORMAT, models, false);
  }

  /** The {@code variability=} value of a study device URI, or null. */
  private static String variability(String device) {
    int at = device.indexOf(VARIABILITY);
    if (at < 0) {
      return null;
    }
    int end = device.indexOf('&', at + VARIABILITY.length());
    return device.substring(at + VARIABILITY.length(), end < 0 ? device.length() : end);
  }

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
  public Map<String, RowResult> run(Context context, WorkItem item) {
    if (!FORMAT.equals(context.format())) {
      throw new QuenchException("study items of format '" + context.format() + "' cannot run here ("
          + FORMAT + "); run the same quench jar on every machine");
    }
    try {
      return onThisMachine(context, item).run();
    } catch (QuenchException e) {
      throw new QuenchException("study item " + StudyRunner.describe(item) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("study item " + StudyRunner.describe(item) + " failed: " + e, e);
    }
  }

  /**
   * {@code item} as this machine runs it: on a member, a device naming a model file the
   * coordinator sent names this member's copy of it instead.
   */
  private static WorkItem onThisMachine(Context context, WorkItem item) {
    String level = variability(item.config().device());
    byte[] model = level == null || !context.received() ? null : context.models().get(level);
    if (model == null) {
      return item;
    }
    String device = item.config().device().replace(VARIABILITY + level,
        VARIABILITY + received(model));
    return new WorkItem(item.drive(), item.config().withDevice(device), item.seed(), item.tasks());
  }

  /** This member's file holding {@code model} (protobuf bytes), written on first use. */
  private static Path received(byte[] model) {
    return RECEIVED.computeIfAbsent(ChipImages.sha256(model), hash -> {
      try {
        VariabilityModel m = VariabilityModel.of(VariabilityModelData.parseFrom(model),
            "received model " + hash.substring(0, 16));
        Path file = Files.createTempFile("quench-variability-" + hash.substring(0, 16) + "-", ".json");
        file.toFile().deleteOnExit();
        Files.writeString(file, m.toJson(), StandardCharsets.UTF_8);
        return file.toAbsolutePath();
      } catch (IOException e) {
        throw new QuenchException("cannot write a received variability model here: " + e.getMessage());
      }
    });
  }

  @Override
  public byte[] encodeContext(Context context) {
    return WorkBytes.write(out -> {
      out.writeUTF(context.format());
      // A study without model files keeps the one-string context it always had.
      if (!context.models().isEmpty()) {
        out.writeInt(context.models().size());
        for (Map.Entry<String, byte[]> e : context.models().entrySet()) {
          out.writeUTF(e.getKey());
          WorkBytes.writeBytes(out, e.getValue());
        }
      }
    });
  }

  @Override
  public Context decodeContext(byte[] bytes) {
    return WorkBytes.read(bytes, "the study's context", in -> {
      String format = in.readUTF();
      SortedMap<String, byte[]> models = new TreeMap<>();
      if (in.available() > 0) {
        int n = in.readInt();
        for (int k = 0; k < n; k++) {
          models.put(in.readUTF(), WorkBytes.readBytes(in));
        }
      }
      return new Context(format, models, true);
    });
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
