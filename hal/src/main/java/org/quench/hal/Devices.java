package org.quench.hal;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens devices by URI through the {@link DeviceProvider}s on the class path. */
public final class Devices {
  /** The URI of the default device: the in-process emulator of the built-in Loihi spec. */
  public static final String DEFAULT_URI = "emu:loihi";

  private Devices() {}

  /**
   * Opens {@code uri} (e.g. {@code emu:loihi?serial=7}, {@code grpc://host:port/chip0}). Errors
   * never repeat a token the URI carries ({@link #redacted}).
   */
  public static Device open(String uri) {
    try {
      return openUnredacted(uri);
    } catch (QuenchException e) {
      String shown = redacted(uri);
      if (uri == null || shown.equals(uri) || e.getMessage() == null || !e.getMessage().contains(uri)) {
        throw e;
      }
      throw new QuenchException(e.getMessage().replace(uri, shown), e.getCause());
    }
  }

  private static Device openUnredacted(String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new QuenchException("device URI '" + uri + "' is malformed: " + e.getReason());
    }
    String scheme = parsed.getScheme();
    if (scheme == null) {
      throw new QuenchException("device URI '" + uri + "' has no scheme; try " + DEFAULT_URI);
    }
    List<String> known = new ArrayList<>();
    for (DeviceProvider p : providers()) {
      if (p.scheme().equalsIgnoreCase(scheme)) {
        return p.open(parsed);
      }
      known.add(p.scheme() + ":");
    }
    throw new QuenchException("no device provider for scheme '" + scheme + ":' in '" + uri
        + "'; available: " + (known.isEmpty() ? "none (is the emulator on the class path?)"
        : String.join(", ", known)));
  }

  /** Every provider on the class path, in ServiceLoader order. */
  public static List<DeviceProvider> providers() {
    List<DeviceProvider> list = new ArrayList<>();
    for (DeviceProvider p : ServiceLoader.load(DeviceProvider.class)) {
      list.add(p);
    }
    return list;
  }

  /**
   * {@code uri} as it may be shown or stored (summaries, reports, recordings): the value of every
   * secret query parameter ({@code token=}) replaced by {@code ***}, the rest unchanged.
   */
  public static String redacted(String uri) {
    return uri == null ? null : uri.replaceAll("(?i)([?&]token=)[^&#]*", "$1***");
  }
}
