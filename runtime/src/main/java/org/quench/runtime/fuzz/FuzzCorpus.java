package org.quench.runtime.fuzz;

import com.google.protobuf.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.DeviceProfile;
import org.quench.hal.VariabilityModel;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DeviceProfileData;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.runtime.io.ScratchDirectory;

/**
 * The seeds mutants are made from: the models shipped inside Quench (the braille NIR model and the
 * random netx network), any model, image, spec, variability model and profile files found under
 * the directories given (the repository's own test files, for example), chip images compiled from
 * the valid models, the built-in chip spec, the variability presets and chips generated from them,
 * a measured profile, and a board session that uploads and runs a small image.
 */
public final class FuzzCorpus implements AutoCloseable {
  private static final String MODELS = "/org/quench/runtime/models/";
  /** Where in the scratch directory the shipped models are written to be loaded from files. */
  private static final String SEEDS = "seeds/";
  /** Images are compiled from at most this many valid models (compiling is the slow part). */
  private static final int MAX_COMPILED_IMAGES = 4;

  private final Map<FuzzKind, List<Seed>> seeds = new EnumMap<>(FuzzKind.class);
  private final Network specProbe;

  private final ChipImage probeImage;
  /** The board server board sessions go to, started on first use. */
  private FuzzBoard board;

  /**
   * One seed: where it came from and its bytes; a seed that is one protobuf message (an image, a
   * profile, a variability model) also keeps the message, for field mutations.
   */
  record Seed(String origin, byte[] bytes, Message message) {}

  private FuzzCorpus(Network specProbe) {
    for (FuzzKind k : FuzzKind.values()) {
      seeds.put(k, new ArrayList<>());
    }
    this.specProbe = specProbe;
    probeImage = Compiler.forNir(NirImportOptions.defaults())
        .compile(specProbe, ChipSpec.loihi(), CompileOptions.none()).image();
  }

  /**
   * The shipped seeds plus every {@code .nir}, {@code .net}, {@code .qimg} and chip spec
   * {@code .json} file under {@code directories} (searched recursively).
   */
  public static FuzzCorpus load(List<Path> directories, ScratchDirectory scratch) {
    byte[] braille = resource("braille.nir");
    byte[] netx = resource("netx-random.net");
    FuzzCorpus c = new FuzzCorpus(Frontends.load(scratch.write(SEEDS + "probe.net", netx),
        NirImportOptions.defaults()));
    c.add(FuzzKind.NIR, "quench:braille.nir", braille);
    c.add(FuzzKind.NETX, "quench:netx-random.net", netx);
    c.add(FuzzKind.SPEC, "quench:loihi spec", ChipSpec.loihi().toJson().getBytes(StandardCharsets.UTF_8));
    for (String preset : List.of("digital", "mild", "analog")) {
      VariabilityModel model = VariabilityModel.preset(preset);
      c.addMessage(FuzzKind.VARIABILITY, "quench:" + preset + " variability", model.data());
      c.addProfile("quench:chip 5 of " + preset, DeviceProfile.generated(model, "5").data());
    }
    c.addProfile("measured profile of the probe image's cores", measured(c.probeImage));
    c.add(FuzzKind.BOARD, "session with the probe image in 4 KiB chunks",
        BoardSession.of(FuzzBoard.DEVICE, c.probeImage, 4096).toBytes());
    List<Path> files = new ArrayList<>();
    for (Path dir : directories) {
      if (!Files.isDirectory(dir)) {
        throw new QuenchException("fuzz corpus directory " + dir + " does not exist");
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(Files::isRegularFile).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(".nir")) {
        c.add(FuzzKind.NIR, f.toString(), read(f));
      } else if (name.endsWith(".net")) {
        c.add(FuzzKind.NETX, f.toString(), read(f));
      } else if (name.endsWith(".qimg")) {
        c.addImage(f.toString(), ChipImages.read(f));
      } else if (name.endsWith(".json") && loads(f, ChipSpec::load)) {
        c.add(FuzzKind.SPEC, f.toString(), read(f));
      } else if (name.endsWith(".json") && loads(f, VariabilityModel::load)) {
        c.addMessage(FuzzKind.VARIABILITY, f.toString(), VariabilityModel.load(f).data());
      } else if (name.endsWith(".qprf") || name.endsWith(".qprof")) {
        try {
          c.addProfile(f.toString(), DeviceProfile.read(f).data());
        } catch (QuenchException e) {
          // a broken profile fixture is no seed
        }
      }
    }
    List<Path> models = new ArrayList<>();
    models.add(scratch.write(SEEDS + "braille.nir", braille));
    models.add(scratch.write(SEEDS + "netx-random.net", netx));
    files.stream().filter(f -> f.toString().endsWith(".nir") || f.toString().endsWith(".net"))
        .forEach(models::add);
    int compiled = 0;
    for (Path model : models) {
      if (compiled >= MAX_COMPILED_IMAGES) {
        break;
      }
      try {
        Network n = Frontends.load(model, NirImportOptions.defaults());
        c.addImage("compiled " + model.getFileName(),
            Compiler.forNir(NirImportOptions.defaults()).compile(n, ChipSpec.loihi(), CompileOptions.none())
                .image());
        compiled++;
      } catch (QuenchException e) {
        // a broken fixture is a seed for its model kind, not a source of images
      }
    }
    return c;
  }

  /** A measured profile covering every core of {@code image}, each factor a little off nominal. */
  private static DeviceProfileData measured(ChipImage image) {
    MeasuredProfile.Builder m = MeasuredProfile.newBuilder().setDeviceUri("emu:loihi?serial=9")
        .setMethod("fuzz seed");
    for (Core core : image.getCoresList()) {
      MeasuredCore.Builder c = MeasuredCore.newBuilder().setAddress(core.getAddress())
          .setNeuronCount(core.getNeuronCount());
      for (int i = 0; i < core.getNeuronCount(); i++) {
        double f = 1 + 0.01 * ((i % 7) - 3);
        c.addCurrentDecay(f).addVoltageDecay(f).addThreshold(f).addBias(f).addWeight(f)
            .addDead(i % 11 == 10).addHot(false);
      }
      m.addCores(c);
    }
    return DeviceProfile.measured("9", "loihi", m.build(), "fuzz seed").data();
  }

  /** Whether {@code loader} accepts {@code f} (a JSON file is a spec or a variability model). */
  private static boolean loads(Path f, java.util.function.Consumer<Path> loader) {
    try {
      loader.accept(f);
      return true;
    } catch (QuenchException e) {
      return false;
    }
  }

  private void add(FuzzKind kind, String origin, byte[] bytes) {
    seeds.get(kind).add(new Seed(origin, bytes, null));
  }

  private void addImage(String origin, ChipImage image) {
    addMessage(FuzzKind.IMAGE, origin, image);
    addMessage(FuzzKind.IMAGE_JSON, origin, image);
  }

  private void addProfile(String origin, DeviceProfileData profile) {
    addMessage(FuzzKind.PROFILE, origin, profile);
    addMessage(FuzzKind.PROFILE_JSON, origin, profile);
  }

  private void addMessage(FuzzKind kind, String origin, Message message) {
    seeds.get(kind).add(new Seed(origin, FuzzTargets.form(kind, message), message));
  }

  /** The image variability models and profiles are tried on (compiled from the probe network). */
  ChipImage probeImage() {
    return probeImage;
  }

  /** The board server of this corpus's board sessions, started on first use. */
  synchronized FuzzBoard board() {
    if (board == null) {
      board = new FuzzBoard();
    }
    return board;
  }

  /** Stops the board server, if one was started. */
  @Override
  public synchronized void close() {
    if (board != null) {
      board.close();
      board = null;
    }
  }

  /** How many seeds there are of {@code kind}. */
  public int size(FuzzKind kind) {
    return seeds.get(kind).size();
  }

  List<Seed> seeds(FuzzKind kind) {
    return seeds.get(kind);
  }

  /** The network every mutated chip spec is asked to compile and run. */
  Network specProbe() {
    return specProbe;
  }

  private static byte[] resource(String name) {
    try (InputStream in = FuzzCorpus.class.getResourceAsStream(MODELS + name)) {
      if (in == null) {
        throw new IllegalStateException("model " + name + " is missing from the Quench jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] read(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new QuenchException("cannot read fuzz seed " + f + ": " + e.getMessage(), e);
    }
  }
}
