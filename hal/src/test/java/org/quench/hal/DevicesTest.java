package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicesTest {
  private static String failure(String uri) {
    return assertThrows(QuenchException.class, () -> Devices.open(uri)).getMessage();
  }

  @Test
  void unknownSchemeNamesTheSchemeAndTheAvailableOnes() {
    String m = failure("nosuch:chip0");
    assertTrue(m.contains("no device provider for scheme 'nosuch:'"), m);
    assertTrue(m.contains("'nosuch:chip0'"), m);
    assertTrue(m.contains("available: fake:"), m);
  }

  @Test
  void malformedUriIsRefusedAsMalformed() {
    String m = failure("emu:lo ihi");
    assertTrue(m.contains("device URI 'emu:lo ihi' is malformed"), m);
  }

  @Test
  void uriWithoutSchemeSuggestsTheDefault() {
    String m = failure("loihi");
    assertTrue(m.contains("has no scheme"), m);
    assertTrue(m.contains(Devices.DEFAULT_URI), m);
  }

  @Test
  void schemeIsMatchedCaseInsensitivelyAndTheWholeUriIsPassedOn() {
    assertEquals("fake provider reached with FAKE:board?serial=3", failure("FAKE:board?serial=3"));
  }

  @Test
  void providersAreFoundThroughServiceLoader() {
    assertTrue(Devices.providers().stream().anyMatch(p -> p.scheme().equals("fake")));
  }

  @Test
  void aTokenInAUriIsNeverShown() {
    assertEquals("grpc://h:7000/chip0?token=***", Devices.redacted("grpc://h:7000/chip0?token=s3cret"));
    assertEquals("grpc://h:7000/chip0?deadline=50&TOKEN=***&tls=true",
        Devices.redacted("grpc://h:7000/chip0?deadline=50&TOKEN=s3cret&tls=true"));
    assertEquals("emu:loihi?serial=7", Devices.redacted("emu:loihi?serial=7"));
    // A provider's error that quotes the URI does not leak the token either.
    String m = failure("FAKE:board?serial=3&token=s3cret");
    assertTrue(m.contains("token=***") && !m.contains("s3cret"), m);
  }
}
