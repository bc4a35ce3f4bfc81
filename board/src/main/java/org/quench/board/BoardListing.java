package org.quench.board;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quench.hal.DeviceInfo;
import org.quench.board.proto.BoardGrpc;
import org.quench.board.proto.DeviceDescription;
import org.quench.board.proto.ListDevicesReply;
import org.quench.board.proto.ListDevicesRequest;

/**
 * What a board offers, as {@code quench devices --board host:port} shows it.
 *
 * @param board the board's {@code host:port}
 * @param version the board software's version
 * @param maxImageBytes the largest image it accepts, bytes
 * @param devices its devices in board order
 */
public record BoardListing(String board, String version, long maxImageBytes, List<Entry> devices) {
  /**
   * One device.
   *
   * @param name the board's name for it ({@code chip0}, ...)
   * @param uri the URI a client opens it with ({@code grpc://host:port/chip0})
   * @param info its identity as the board's provider reports it
   * @param leased whether some client holds it now
   */
  public record Entry(String name, String uri, DeviceInfo info, boolean leased) {}

  public BoardListing {
    devices = List.copyOf(devices);
  }

  /**
   * Asks the board at {@code hostPort} what it hosts. {@code token} may be null (then
   * {@code QUENCH_TOKEN} is used, if set). Throws QuenchException when the board cannot be asked.
   */
  public static BoardListing fetch(String hostPort, String token) {
    BoardAddress a = BoardAddress.ofBoard(hostPort, token);
    ManagedChannel channel = a.channel();
    try {
      ListDevicesReply r = BoardGrpc.newBlockingStub(channel)
          .withDeadlineAfter(a.deadlineMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
          .listDevices(ListDevicesRequest.getDefaultInstance());
      List<Entry> entries = new ArrayList<>();
      for (DeviceDescription d : r.getDevicesList()) {
        String uri = "grpc://" + a.host + ":" + a.port + "/" + d.getName();
        entries.add(new Entry(d.getName(), uri, info(uri, d), d.getLeased()));
      }
      return new BoardListing(a.host + ":" + a.port, r.getBoardVersion(), r.getMaxImageBytes(),
          entries);
    } catch (StatusRuntimeException e) {
      throw a.error("list devices", e);
    } finally {
      BoardAddress.shutdown(channel);
    }
  }

  static DeviceInfo info(String uri, DeviceDescription d) {
    Map<String, String> props = new TreeMap<>(d.getPropertiesMap());
    props.put("board.uri", d.getUri());
    props.put("board.provider", d.getProvider());
    return new DeviceInfo(uri, RemoteDeviceProvider.SCHEME, d.getSpecName(), d.getSpecHash(),
        d.getSerial(), d.getChips(), props);
  }
}
