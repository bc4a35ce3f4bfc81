package org.quench.compiler.frontend.nir;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the NIR test files under src/test/resources/nir. */
final class NirFixtures {
  private NirFixtures() {}

  static Path path(String relative) {
    URL url = NirFixtures.class.getResource("/nir/" + relative);
    if (url == null) {
      throw new IllegalStateException("missing test resource nir/" + relative);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static NirGraph read(String relative) {
    return NirReader.read(path(relative));
  }
}
