package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.board.BoardServer;
import org.quench.hal.QuenchException;
import picocli.CommandLine;

/**
 * {@code quench serve} is safe by default: it listens on 127.0.0.1, refuses to listen anywhere
 * else without a token unless told --insecure, and its first line says how it is exposed.
 */
class ServeSafetyTest {
  private static ServeCommand parsed(String... args) {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs(args);
    return serve;
  }

  @Test
  void listensOnLoopbackByDefaultAndSaysSo() {
    ServeCommand serve = parsed("--port", "0");
    serve.environment = name -> null;
    assertEquals("127.0.0.1", serve.host);
    try (BoardServer board = serve.start()) {
      String line = serve.startupLine(board, true);
      assertEquals("board listening on 127.0.0.1:" + board.port()
          + " (plaintext, no token, this machine only), 1 device", line);
    }
  }

  @Test
  void anotherInterfaceWithoutATokenIsRefused() {
    ServeCommand serve = parsed("--host", "0.0.0.0", "--port", "0");
    serve.environment = name -> null;
    String m = assertThrows(QuenchException.class, serve::start).getMessage();
    assertTrue(m.startsWith("refusing to serve on 0.0.0.0 without a token"), m);
    assertTrue(m.contains("--insecure") && !m.contains("\n"), m);
    serve.environment = name -> name.equals("QUENCH_TOKEN") ? "from-env" : null;
    assertDoesNotThrow(serve::checkExposure);
  }

  @Test
  void aTokenOrInsecureAllowsAnotherInterface() {
    // checked without binding: tests listen on 127.0.0.1 only
    assertDoesNotThrow(() -> parsed("--host", "0.0.0.0", "--token", "s3cret").checkExposure());
    assertDoesNotThrow(() -> parsed("--host", "0.0.0.0", "--insecure").checkExposure());
    assertTrue(!ServeCommand.loopback("0.0.0.0") && ServeCommand.loopback("127.0.0.1")
        && ServeCommand.loopback("localhost"));
  }
}
