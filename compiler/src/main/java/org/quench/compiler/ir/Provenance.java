package org.quench.compiler.ir;

import java.util.List;

/**
 * Where a network came from: the source file's name (no directories), the SHA-256 of its bytes
 * (lower-case hex), and what the front-end decided or warned about while importing it.
 */
public record Provenance(String sourceName, String sha256, List<String> notes) {
  public Provenance {
    sourceName = sourceName == null ? "" : sourceName;
    sha256 = sha256 == null ? "" : sha256;
    notes = List.copyOf(notes == null ? List.of() : notes);
  }

  /** A network built in code, with no file behind it. */
  public static Provenance none() {
    return new Provenance("", "", List.of());
  }
}
