package org.quench.board;

import java.net.URI;
import org.quench.hal.Device;
import org.quench.hal.DeviceProvider;
import org.quench.hal.QuenchException;

/**
 * The {@code grpc:} device provider: {@code grpc://host:port/chipN[?token=T&tls=true&ca=FILE
 * &deadline=MS&ttl=MS&batch=STEPS]} opens a {@link RemoteDevice} on a board started with
 * {@code quench serve}. Without {@code token}, the environment variable {@code QUENCH_TOKEN} is
 * used when set.
 */
public final class RemoteDeviceProvider implements DeviceProvider {
  /** The URI scheme served. */
  public static final String SCHEME = "grpc";

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public String description() {
    return "a device on a board over gRPC (grpc://host:port/chip0?token=...; see quench serve)";
  }

  @Override
  public Device open(URI uri) {
    if (uri.getScheme() == null || !SCHEME.equalsIgnoreCase(uri.getScheme())) {
      throw new QuenchException("device URI '" + uri + "' is not a grpc:// URI");
    }
    return RemoteDevice.open(BoardAddress.parse(uri));
  }
}
