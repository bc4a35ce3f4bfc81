package org.quench.hal;

import java.util.Map;

/**
 * Identity of a device, as shown by {@code quench devices} and recorded with every result.
 *
 * @param uri the URI it was opened with
 * @param provider the provider's scheme (e.g. {@code emu})
 * @param specName chip spec name
 * @param specHash lower-case hex SHA-256 of the spec's canonical JSON
 * @param serial chip instance serial (selects its variability profile)
 * @param chips number of chips in the system
 * @param properties anything else worth showing (versions, thread count, ...)
 */
public record DeviceInfo(String uri, String provider, String specName, String specHash,
    String serial, int chips, Map<String, String> properties) {
  public DeviceInfo {
    properties = Map.copyOf(properties);
  }
}
