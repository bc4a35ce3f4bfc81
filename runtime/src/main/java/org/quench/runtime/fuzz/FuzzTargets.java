package org.quench.runtime.fuzz;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.emulator.EmulatorDevice;
import org.quench.hal.ChipImages;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.VariabilityModel;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.model.ModelCompilation;

/**
 * What Quench does with each kind of input, the way the commands do it: models are imported and
 * compiled ({@code quench compile}), images are read, loaded into an emulated chip and run
 * ({@code quench run}), specs are parsed and used to compile and run a small network, variability
 * models and device profiles make the chip that runs a small image ({@code quench run --profile}),
 * and board sessions go to a real board server ({@code quench serve}).
 */
final class FuzzTargets {
  /** Steps each loaded image runs, with one spike per input port per step. */
  static final int RUN_STEPS = 8;

  private FuzzTargets() {}

  /** Makes the input a case feeds to {@code kind}'s path. */
  static Mutant mutant(FuzzKind kind, FuzzCorpus.Seed seed, SplittableRandom random) {
    if (kind == FuzzKind.BOARD) {
      StringBuilder what = new StringBuilder();
      return new Mutant(BoardSession.fromBytes(seed.bytes()).mutate(random, what).toBytes(),
          what.toString());
    }
    // Mostly field changes written in the input's own form (an image with a fresh checksum):
    // byte damage to a binary image is caught by its checksum, and to JSON by the parser, so field
    // changes are what reach the validators and the emulator.
    if (seed.message() != null && random.nextInt(4) != 0) {
      StringBuilder what = new StringBuilder("field ");
      Message changed = FieldMutations.mutate(seed.message(), random, what);
      return new Mutant(form(kind, changed), what.toString());
    }
    return ByteMutations.mutate(seed.bytes(), random);
  }

  /** {@code message} written the way a file of {@code kind} holds it, without checking it. */
  static byte[] form(FuzzKind kind, Message message) {
    return switch (kind) {
      case IMAGE -> ChipImages.toBytes((ChipImage) message);
      case IMAGE_JSON -> ChipImages.toJson((ChipImage) message).getBytes(StandardCharsets.UTF_8);
      case PROFILE -> {
        byte[] payload = message.toByteArray();
        yield ByteBuffer.allocate(8 + payload.length).put(new byte[] {'Q', 'P', 'R', 'F'})
            .putShort((short) DeviceProfile.FORMAT_VERSION).putShort((short) 0).put(payload).array();
      }
      case PROFILE_JSON, VARIABILITY -> json(message);
      default -> throw new IllegalArgumentException(kind + " inputs are not one message");
    };
  }

  private static byte[] json(Message message) {
    try {
      return JsonFormat.printer().print(message).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code file} (a mutant written to disk) through {@code kind}'s path. */
  static void exercise(FuzzKind kind, Path file, FuzzCorpus corpus) {
    switch (kind) {
      case NIR, NETX -> ModelCompilation.compile(file, ChipSpec.loihi(), NirImportOptions.defaults(),
          CompileOptions.none());
      case IMAGE, IMAGE_JSON -> run(ChipImages.read(file), ChipSpec.loihi(), null);
      case SPEC -> {
        ChipSpec spec = ChipSpec.load(file);
        ChipImage image = Compiler.forNir(NirImportOptions.defaults())
            .compile(corpus.specProbe(), spec, CompileOptions.none()).image();
        run(image, spec, null);
      }
      case VARIABILITY -> run(corpus.probeImage(), ChipSpec.loihi(),
          DeviceProfile.generated(VariabilityModel.load(file), "17"));
      case PROFILE, PROFILE_JSON -> run(corpus.probeImage(), ChipSpec.loihi(), DeviceProfile.read(file));
      case BOARD -> corpus.board().exercise(BoardSession.fromBytes(read(file)));
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(ChipImage image, ChipSpec spec, DeviceProfile profile) {
    try (Device device = profile == null ? new EmulatorDevice(spec, "fuzz", 1)
        : new EmulatorDevice(spec, profile, 1)) {
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
}
