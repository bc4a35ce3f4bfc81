package org.quench.runtime.fuzz;

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
import org.quench.hal.proto.ChipImage;

/**
 * The seeds mutants are made from: the models shipped inside Quench (the braille NIR model and the
 * random netx network), any model, image and spec files found under the directories given (the
 * repository's own test files, for example), chip images compiled from the valid models, and the
 * built-in chip spec.
 */
public final class FuzzCorpus {
  private static final String MODELS = "/org/quench/runtime/models/";
  /** Images are compiled from at most this many valid models (compiling is the slow part). */
  private static final int MAX_COMPILED_IMAGES = 4;

  private final Map<FuzzKind, List<Seed>> seeds = new EnumMap<>(FuzzKind.class);
  private final Network specProbe;

  /** One seed: where it came from and its bytes (the image kinds also keep the parsed image). */
  record Seed(String origin, byte[] bytes, ChipImage image) {}

  private FuzzCorpus(Network specProbe) {
    for (FuzzKind k : FuzzKind.values()) {
      seeds.put(k, new ArrayList<>());
    }
    this.specProbe = specProbe;
  }

  /**
   * The shipped seeds plus every {@code .nir}, {@code .net}, {@code .qimg} and chip spec
   * {@code .json} file under {@code directories} (searched recursively).
   */
  public static FuzzCorpus load(List<Path> directories, Path scratch) {
    byte[] braille = resource("braille.nir");
    byte[] netx = resource("netx-random.net");
    FuzzCorpus c = new FuzzCorpus(Frontends.load(write(scratch, "probe.net", netx),
        NirImportOptions.defaults()));
    c.add(FuzzKind.NIR, "quench:braille.nir", braille);
    c.add(FuzzKind.NETX, "quench:netx-random.net", netx);
    c.add(FuzzKind.SPEC, "quench:loihi spec", ChipSpec.loihi().toJson().getBytes(StandardCharsets.UTF_8));
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
      } else if (name.endsWith(".json") && isSpec(f)) {
        c.add(FuzzKind.SPEC, f.toString(), read(f));
      }
    }
    List<Path> models = new ArrayList<>();
    models.add(write(scratch, "braille.nir", braille));
    models.add(write(scratch, "netx-random.net", netx));
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

  private static boolean isSpec(Path f) {
    try {
      ChipSpec.load(f);
      return true;
    } catch (QuenchException e) {
      return false;
    }
  }

  private void add(FuzzKind kind, String origin, byte[] bytes) {
    seeds.get(kind).add(new Seed(origin, bytes, null));
  }

  private void addImage(String origin, ChipImage image) {
    seeds.get(FuzzKind.IMAGE).add(new Seed(origin, ChipImages.toBytes(image), image));
    seeds.get(FuzzKind.IMAGE_JSON).add(new Seed(origin,
        ChipImages.toJson(image).getBytes(StandardCharsets.UTF_8), image));
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

  static Path write(Path dir, String name, byte[] bytes) {
    try {
      Files.createDirectories(dir);
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new QuenchException("cannot write " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }
}
