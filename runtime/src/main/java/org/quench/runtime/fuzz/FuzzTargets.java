package org.quench.runtime.fuzz;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.SplittableRandom;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.emulator.EmulatorDevice;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.model.ModelCompilation;

/**
 * What Quench does with each kind of input, the way the commands do it: models are imported and
 * compiled ({@code quench compile}), images are read, loaded into an emulated chip and run
 * ({@code quench run}), specs are parsed and used to compile and run a small network.
 */
final class FuzzTargets {
  /** Steps each loaded image runs, with one spike per input port per step. */
  static final int RUN_STEPS = 8;

  private FuzzTargets() {}

  /** Makes the input a case feeds to {@code kind}'s path. */
  static Mutant mutant(FuzzKind kind, FuzzCorpus.Seed seed, SplittableRandom random) {
    if (kind == FuzzKind.IMAGE || kind == FuzzKind.IMAGE_JSON) {
      // Mostly field changes written with a fresh checksum: byte damage to a binary image is
      // caught by its checksum, so field changes are what reach the validator and the emulator.
      if (random.nextInt(4) != 0) {
        StringBuilder what = new StringBuilder("field ");
        ChipImage changed = ImageFieldMutations.mutate(seed.image(), random, what);
        byte[] bytes = kind == FuzzKind.IMAGE ? ChipImages.toBytes(changed)
            : ChipImages.toJson(changed).getBytes(StandardCharsets.UTF_8);
        return new Mutant(bytes, what.toString());
      }
    }
    return ByteMutations.mutate(seed.bytes(), random);
  }

  /** Runs {@code file} (a mutant written to disk) through {@code kind}'s path. */
  static void exercise(FuzzKind kind, Path file, FuzzCorpus corpus) {
    switch (kind) {
      case NIR, NETX -> ModelCompilation.compile(file, ChipSpec.loihi(), NirImportOptions.defaults(),
          CompileOptions.none());
      case IMAGE, IMAGE_JSON -> run(ChipImages.read(file), ChipSpec.loihi());
      case SPEC -> {
        ChipSpec spec = ChipSpec.load(file);
        ChipImage image = Compiler.forNir(NirImportOptions.defaults())
            .compile(corpus.specProbe(), spec, CompileOptions.none()).image();
        run(image, spec);
      }
    }
  }

  private static void run(ChipImage image, ChipSpec spec) {
    try (Device device = new EmulatorDevice(spec, "fuzz", 1)) {
      device.load(image);
      Stimulus.Builder s = Stimulus.builder(RUN_STEPS);
      for (var port : image.getInputsList()) {
        if (port.getWidth() == 0) {
          continue;
        }
        for (int t = 0; t < RUN_STEPS; t++) {
          s.spike(t, port.getName(), t % port.getWidth());
        }
      }
      device.run(s.build());
    }
  }

  static Path write(Path dir, FuzzKind kind, byte[] bytes) {
    try {
      Files.createDirectories(dir);
      return Files.write(dir.resolve("case" + kind.suffix()), bytes);
    } catch (IOException e) {
      throw new QuenchException("cannot write a fuzz case to " + dir + ": " + e.getMessage(), e);
    }
  }
}
