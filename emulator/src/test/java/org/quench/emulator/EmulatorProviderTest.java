package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;

/** emu: URIs: built-in and file specs, serial and threads parameters, refusals. */
class EmulatorProviderTest {
  private static Device open(String uri) {
    return new EmulatorProvider().open(URI.create(uri));
  }

  @Test
  void builtInSpecWithDefaults() {
    try (Device d = Devices.open("emu:loihi")) {
      assertTrue(d instanceof EmulatorDevice);
      assertEquals("emu", d.info().provider());
      assertEquals("loihi", d.info().specName());
      assertEquals(ChipSpec.loihi().hash(), d.info().specHash());
      assertEquals(String.valueOf(Runtime.getRuntime().availableProcessors()), d.info().properties().get("threads"));
      assertTrue(d.profile().isNominal());
    }
  }

  @Test
  void theSpecAUriNamesIsReadWithoutItsParameters() {
    assertEquals("loihi", EmulatorProvider.specOf(URI.create("emu:loihi?serial=7&variability=analog")));
    assertEquals("loihi", EmulatorProvider.specOf(URI.create("emu:?serial=7")));
    assertEquals("/tmp/my chip.json", EmulatorProvider.specOf(URI.create("emu:/tmp/my%20chip.json?threads=1")));
    QuenchException e = assertThrows(QuenchException.class,
        () -> EmulatorProvider.specOf(URI.create("emu://host/loihi")));
    assertTrue(e.getMessage().contains("not emu://"), e.getMessage());
  }

  @Test
  void opaqueUriParametersAreParsed() {
    try (Device d = open("emu:loihi?serial=7&threads=2")) {
      assertEquals("7", d.info().serial());
      assertEquals("2", d.info().properties().get("threads"));
      assertEquals("emu:loihi?serial=7&threads=2", d.info().uri());
    }
  }

  @Test
  void specFileByPath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("spec.json");
    Files.writeString(file, ChipSpec.loihi().toJson());
    try (Device d = open("emu:" + file + "?threads=1")) {
      assertEquals("loihi", d.info().specName());
      assertEquals("1", d.info().properties().get("threads"));
    }
  }

  @Test
  void aPlusInAFilePathIsAPlusNotASpace(@TempDir Path dir) throws Exception {
    // In a URI '+' is an ordinary character: only %XX escapes are decoded (a form's '+' for a
    // space does not apply), so a file whose name has one opens as written.
    Path spec = dir.resolve("loihi+wide.json");
    Files.writeString(spec, ChipSpec.loihi().toJson());
    Path model = dir.resolve("bias+5.json");
    Files.writeString(model, """
        { "name": "bias5", "distribution": "LOGNORMAL", "bias": { "neuron": 0.05 } }
        """);
    assertEquals(spec.toString(), EmulatorProvider.specOf(URI.create("emu:" + spec + "?threads=1")));
    assertEquals("/tmp/a b+c.json", EmulatorProvider.specOf(URI.create("emu:/tmp/a%20b%2Bc.json")));
    try (Device d = open("emu:" + spec + "?threads=1&serial=2&variability=" + model)) {
      assertEquals("loihi", d.info().specName());
      assertTrue(!d.profile().isNominal(), "the model file with a '+' in its name was read");
    }
  }

  @Test
  void unknownParametersAndBadValuesAreNamed() {
    QuenchException unknown = assertThrows(QuenchException.class, () -> open("emu:loihi?x=1"));
    assertTrue(unknown.getMessage().contains("'x'"), unknown.getMessage());
    QuenchException zero = assertThrows(QuenchException.class, () -> open("emu:loihi?threads=0"));
    assertTrue(zero.getMessage().contains("threads"), zero.getMessage());
    QuenchException text = assertThrows(QuenchException.class, () -> open("emu:loihi?threads=many"));
    assertTrue(text.getMessage().contains("threads"), text.getMessage());
    QuenchException serial = assertThrows(QuenchException.class, () -> open("emu:loihi?serial=a%20b"));
    assertTrue(serial.getMessage().contains("serial"), serial.getMessage());
    assertThrows(QuenchException.class, () -> open("emu:nosuchchip"));
  }
}
