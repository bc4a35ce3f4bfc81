package org.quench.runtime;

import java.io.IOException;
import java.io.InputStream;

/** Reads test resources of this module by absolute classpath path. */
final class TestResources {
  private TestResources() {}

  /** The bytes of resource {@code path} (e.g. "/golden/netx-random-1001/random.net"). */
  static byte[] bytes(String path) {
    try (InputStream in = TestResources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
