package org.quench.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;

class BoardAddressTest {
  @Test
  void parsesHostPortDeviceAndParameters() {
    BoardAddress a = BoardAddress.parse(URI.create(
        "grpc://10.0.0.5:6000/chip3?token=a%20b&deadline=500&ttl=9000&batch=250"));
    assertEquals("10.0.0.5", a.host);
    assertEquals(6000, a.port);
    assertEquals("chip3", a.device);
    assertEquals("a b", a.token);
    assertEquals(500, a.deadlineMillis);
    assertEquals(9000, a.ttlMillis);
    assertEquals(250, a.batchSteps);
    assertFalse(a.tls);
    assertFalse(a.uri.contains("a%20b"), "the token is not shown: " + a.uri);
  }

  @Test
  void refusesWhatItCannotUseAndSaysWhy() {
    for (String bad : new String[] {"grpc://host/chip0", "grpc://host:1/", "grpc://h:1/c?bogus=1",
        "grpc://h:1/c?batch=0", "grpc://h:1/c?deadline=x", "grpc://h:1/c?ca=/no/such/file.pem"}) {
      QuenchException e = assertThrows(QuenchException.class, () -> BoardAddress.parse(URI.create(bad)));
      assertTrue(e.getMessage().contains("device URI"), e.getMessage());
    }
  }
}
