package org.quench.hal;

import java.net.URI;

/**
 * Makes devices of one URI scheme ({@code emu}, {@code grpc}, a vendor's). Implementations are
 * found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/org.quench.hal.DeviceProvider}. See the emulator's provider for the
 * reference implementation.
 */
public interface DeviceProvider {
  /** The URI scheme this provider serves, lower case, without the colon. */
  String scheme();

  /** One line for {@code quench devices}: what this provider reaches. */
  String description();

  /**
   * Opens the device the URI names. Throws {@link QuenchException} naming the URI and the reason
   * when it does not exist or cannot be reached.
   */
  Device open(URI uri);
}
