package org.quench.hal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Quench's versions, read once from the build-filtered resource {@code version.properties} of this
 * package: the project version (written into image headers as the compiler version and reported by
 * devices and the CLI) and the ChipImage format version.
 */
public final class QuenchVersion {
  private static final Properties PROPERTIES = load();

  private QuenchVersion() {}

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = QuenchVersion.class.getResourceAsStream("version.properties")) {
      if (in == null) {
        throw new IllegalStateException("org/quench/hal/version.properties is missing from the"
            + " hal jar: rebuild it with Maven");
      }
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read org/quench/hal/version.properties", e);
    }
    return p;
  }

  /** The project version, e.g. "0.1.0-SNAPSHOT". */
  public static String project() {
    String v = PROPERTIES.getProperty("project", "");
    if (v.isEmpty() || v.startsWith("${")) {
      throw new IllegalStateException("version.properties was not filtered by Maven: rebuild hal");
    }
    return v;
  }

  /** The ChipImage format version this build writes and reads. */
  public static int imageFormat() {
    return Integer.parseInt(PROPERTIES.getProperty("imageFormat").strip());
  }
}
