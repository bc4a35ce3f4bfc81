package org.quench.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipSpec;

/** --chip is read once per command: a spec file is not read again on each use. */
class ModelOptionsTest {
  @TempDir
  Path dir;

  @Test
  void aSpecFileIsReadOnceAndFollowsAChangedChipOption() throws IOException {
    ChipSpec wide = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("wide-file").build());
    Path file = dir.resolve("wide.json");
    Files.writeString(file, wide.toJson());
    ModelOptions options = new ModelOptions();
    options.chip = file.toString();
    ChipSpec first = options.spec();
    assertEquals(wide.hash(), first.hash());
    // Gone from disk, it is still the spec the command started with.
    Files.delete(file);
    assertSame(first, options.spec());
    assertSame(first, options.netx().target());
    options.chip = "loihi";
    ChipSpec loihi = options.spec();
    assertNotSame(first, loihi);
    assertEquals("loihi", loihi.name());
  }
}
