package org.quench.runtime.campaign;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.VariabilityModel;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ChipSpecData;
import org.quench.hal.proto.VariabilityModelData;
import org.quench.runtime.work.WorkBytes;
import org.quench.runtime.work.WorkKind;

/**
 * The chips of a mismatch campaign as work for any {@link org.quench.runtime.work.WorkRunner}:
 * the context is the {@link MismatchCampaign} (sent once: image, chip spec, every variability
 * model, samples, labels, readout, whether chips may be compensated), an item is a
 * {@link ChipResult.ChipKey} (serial, level id, compensation: a few bytes) and its result the
 * chip's {@link ChipResult}. A member that decodes the context prepares the campaign itself
 * (running the nominal chip once), which gives the same nominal outputs bit for bit since the
 * emulator is deterministic (docs/cluster.md).
 *
 * <p>The spec and the variability models travel as their content (protobuf bytes), never as
 * paths: a member needs no file of the coordinator's. A level given as a file is known inside the
 * work by an id made from its content ({@link VariabilityLevel}), so the context and the item keys
 * (hence a cluster campaign's key) change with the file's content and not with its path; the
 * coordinator names results by the levels it was given ({@link MismatchCampaign#run}).
 */
public final class ChipWork implements WorkKind<MismatchCampaign, ChipResult.ChipKey, ChipResult> {
  /** The one instance campaigns use. */
  public static final ChipWork KIND = new ChipWork();

  /** For {@link java.util.ServiceLoader}; use {@link #KIND}. */
  public ChipWork() {}

  @Override
  public String name() {
    return "mismatch";
  }

  @Override
  public String key(ChipResult.ChipKey item) {
    return item.serial() + "|" + item.variability() + (item.compensated() ? "|compensated" : "");
  }

  @Override
  public ChipResult run(MismatchCampaign campaign, ChipResult.ChipKey item) {
    String level = campaign.levelById(item.variability()).name();
    return new ChipRun(campaign, item.serial(), level, item.compensated()).run();
  }

  @Override
  public byte[] encodeContext(MismatchCampaign c) {
    MismatchCampaign.ChipCompiler compiler = c.compiler();
    if (compiler != null && !(compiler instanceof CompensatedImages)) {
      throw new QuenchException("this campaign compensates chips with its own compiler ("
          + compiler.getClass().getSimpleName() + "), which cannot be sent to cluster members;"
          + " run it without --cluster");
    }
    byte[] image = ChipImages.toBytes(c.image());
    int[] labels = c.labels();
    // Levels in id order: the context does not depend on the order they were given in.
    List<VariabilityLevel> levels = new ArrayList<>(c.levels());
    levels.sort(Comparator.comparing(VariabilityLevel::id));
    return WorkBytes.write(out -> {
      WorkBytes.writeBytes(out, image);
      WorkBytes.writeBytes(out, c.spec().data().toByteArray());
      out.writeInt(levels.size());
      for (VariabilityLevel level : levels) {
        out.writeUTF(level.id());
        WorkBytes.writeBytes(out, level.model().data().toByteArray());
      }
      out.writeInt(c.samples().size());
      for (Stimulus s : c.samples()) {
        writeStimulus(out, s);
      }
      out.writeBoolean(labels != null);
      if (labels != null) {
        WorkBytes.writeInts(out, labels);
      }
      WorkBytes.writeNullable(out, c.readout());
      out.writeBoolean(compiler != null);
    });
  }

  @Override
  public MismatchCampaign decodeContext(byte[] bytes) {
    return WorkBytes.read(bytes, "a mismatch campaign", in -> {
      ChipImage image = ChipImages.fromBytes(WorkBytes.readBytes(in), "a campaign's image");
      ChipSpec spec = ChipSpec.of(ChipSpecData.parseFrom(WorkBytes.readBytes(in)));
      int count = in.readInt();
      List<VariabilityLevel> levels = new ArrayList<>(count);
      for (int k = 0; k < count; k++) {
        String id = in.readUTF();
        VariabilityModelData model = VariabilityModelData.parseFrom(WorkBytes.readBytes(in));
        levels.add(VariabilityLevel.received(id, VariabilityModel.of(model, "level " + id)));
      }
      int n = in.readInt();
      List<Stimulus> samples = new ArrayList<>(n);
      for (int k = 0; k < n; k++) {
        samples.add(readStimulus(in));
      }
      int[] labels = in.readBoolean() ? WorkBytes.readInts(in) : null;
      String readout = WorkBytes.readNullable(in);
      boolean compensable = in.readBoolean();
      MismatchCampaign.ChipCompiler compiler = compensable ? new CompensatedImages(image, spec) : null;
      return MismatchCampaign.prepared(image, spec, levels, samples, labels, readout, compiler);
    });
  }

  private static void writeStimulus(DataOutputStream out, Stimulus s) throws IOException {
    out.writeInt(s.steps());
    out.writeInt(s.events().size());
    for (Map.Entry<String, Stimulus.PortEvents> e : s.events().entrySet()) {
      out.writeUTF(e.getKey());
      WorkBytes.writeInts(out, e.getValue().steps());
      WorkBytes.writeInts(out, e.getValue().indices());
      WorkBytes.writeInts(out, e.getValue().payloads());
    }
    out.writeInt(s.biasChanges().size());
    for (Stimulus.BiasChange b : s.biasChanges()) {
      out.writeInt(b.step());
      out.writeUTF(b.population());
      WorkBytes.writeInts(out, b.biasMant());
    }
  }

  /**
   * The stimulus {@link #writeStimulus} wrote. Events go back through the builder in their stored
   * (step-sorted, stable) order, so the rebuilt stimulus holds the same arrays.
   */
  private static Stimulus readStimulus(DataInputStream in) throws IOException {
    Stimulus.Builder b = Stimulus.builder(in.readInt());
    int ports = in.readInt();
    for (int p = 0; p < ports; p++) {
      String port = in.readUTF();
      int[] steps = WorkBytes.readInts(in);
      int[] indices = WorkBytes.readInts(in);
      int[] payloads = WorkBytes.readInts(in);
      for (int i = 0; i < steps.length; i++) {
        b.payload(steps[i], port, indices[i], payloads[i]);
      }
    }
    int changes = in.readInt();
    for (int c = 0; c < changes; c++) {
      int step = in.readInt();
      String population = in.readUTF();
      b.bias(step, population, WorkBytes.readInts(in));
    }
    return b.build();
  }

  @Override
  public byte[] encodeItem(ChipResult.ChipKey item) {
    return WorkBytes.write(out -> {
      out.writeLong(item.serial());
      out.writeUTF(item.variability());
      out.writeBoolean(item.compensated());
    });
  }

  @Override
  public ChipResult.ChipKey decodeItem(byte[] bytes) {
    return WorkBytes.read(bytes, "a chip of a campaign",
        in -> new ChipResult.ChipKey(in.readLong(), in.readUTF(), in.readBoolean()));
  }

  @Override
  public byte[] encodeResult(ChipResult r) {
    return WorkBytes.write(out -> {
      out.writeLong(r.serial());
      out.writeUTF(r.variability());
      out.writeBoolean(r.compensated());
      out.writeDouble(r.correlation());
      out.writeDouble(r.agreement());
      out.writeDouble(r.accuracy());
      out.writeDouble(r.rate());
      out.writeDouble(r.rateError());
      out.writeDouble(r.nrmse());
      out.writeLong(r.outputSpikes());
    });
  }

  @Override
  public ChipResult decodeResult(byte[] bytes) {
    return WorkBytes.read(bytes, "a chip's result", in -> new ChipResult(in.readLong(), in.readUTF(),
        in.readBoolean(), in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(),
        in.readDouble(), in.readDouble(), in.readLong()));
  }
}
