package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import org.junit.jupiter.api.Test;
import org.quench.runtime.bench.RandomNetwork;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.board.BoardServer;

/** A board serving TLS: a client trusting its certificate runs; a plaintext client cannot. */
class BoardTlsTest {
  @Test
  void aTlsBoardServesClientsThatTrustItsCertificate() throws Exception {
    SelfSignedCertificate cert = new SelfSignedCertificate("localhost", "EC", 256);
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").device("emu:loihi?threads=1")
        .tls(cert.certificate().toPath(), cert.privateKey().toPath()).token("tls-token").start()) {
      String base = "grpc://localhost:" + board.port() + "/chip0?token=tls-token";
      try (Device d = Devices.open(base + "&ca=" + cert.certificate().getPath())) {
        d.load(RandomNetwork.image(2, 1, 40));
        assertEquals(6, d.run(Stimulus.idle(6)).steps());
      }
      QuenchException plain = assertThrows(QuenchException.class, () -> Devices.open(base));
      assertTrue(plain.getMessage().contains("localhost:" + board.port()), plain.getMessage());
    } finally {
      cert.delete();
    }
  }
}
