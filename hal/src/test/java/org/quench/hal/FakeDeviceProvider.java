package org.quench.hal;

import java.net.URI;

/** A provider for scheme "fake" that only proves Devices routed the URI to it. */
public final class FakeDeviceProvider implements DeviceProvider {
  @Override
  public String scheme() {
    return "fake";
  }

  @Override
  public String description() {
    return "test double";
  }

  @Override
  public Device open(URI uri) {
    throw new QuenchException("fake provider reached with " + uri);
  }
}
