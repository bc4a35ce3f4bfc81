package org.quench.runtime.fuzz;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.quench.hal.QuenchException;

/** The kinds of input Quench takes from outside, each fuzzed on its own path. */
public enum FuzzKind {
  /** A NIR model file, imported and compiled for the loihi spec. */
  NIR("nir"),
  /** A lava-dl netx model file, imported and compiled for the loihi spec. */
  NETX("netx"),
  /** A binary chip image (.qimg), read, loaded into the emulator and run. */
  IMAGE("image"),
  /** A chip image in its canonical JSON form, read, loaded into the emulator and run. */
  IMAGE_JSON("image-json"),
  /** A chip spec JSON file, parsed and used to compile and run a small network. */
  SPEC("spec"),
  /** A variability model JSON file, realized as a chip that loads and runs a small image. */
  VARIABILITY("variability"),
  /** A device profile in its binary (QPRF) form, given to an emulated chip that runs a small image. */
  PROFILE("profile"),
  /** A device profile in its JSON form, the same way. */
  PROFILE_JSON("profile-json"),
  /** A board client's session (lease, upload, run, release) sent to a real board server. */
  BOARD("board");

  private final String label;

  FuzzKind(String label) {
    this.label = label;
  }

  /** The name used on the command line and in reports. */
  public String label() {
    return label;
  }

  /** The kind called {@code label} on the command line. */
  public static FuzzKind of(String label) {
    for (FuzzKind k : values()) {
      if (k.label.equalsIgnoreCase(label)) {
        return k;
      }
    }
    throw new QuenchException("unknown fuzz kind '" + label + "'; kinds: " + labels());
  }

  /** All labels, comma-separated. */
  public static String labels() {
    return Arrays.stream(values()).map(FuzzKind::label).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return label;
  }

  /** The file-name suffix a case of this kind is written with. */
  public String suffix() {
    return switch (this) {
      case NIR -> ".nir";
      case NETX -> ".net";
      case IMAGE -> ".qimg";
      case IMAGE_JSON -> ".qimg.json";
      case SPEC -> ".spec.json";
      case VARIABILITY -> ".variability.json";
      case PROFILE -> ".qprof";
      case PROFILE_JSON -> ".profile.json";
      case BOARD -> ".board-session";
    };
  }

  /** Lower-case name for messages. */
  String lower() {
    return label.toLowerCase(Locale.ROOT);
  }
}
