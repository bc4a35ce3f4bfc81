package org.quench.runtime.board;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.quench.emulator.DeviceConformanceKit;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.board.BoardServer;

/**
 * A remote device (grpc://) through a board server on 127.0.0.1 behaves exactly like the
 * emulator: the conformance kit, run over the wire.
 */
class RemoteDeviceConformanceTest extends DeviceConformanceKit {
  private static BoardServer board;

  @BeforeAll
  static void startBoard() {
    board = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500)
        .device("emu:loihi?threads=2&serial=0").start();
  }

  @AfterAll
  static void stopBoard() {
    board.close();
  }

  @Override
  protected Device openDeviceUnderTest() {
    return Devices.open("grpc://127.0.0.1:" + board.port() + "/" + board.deviceNames().get(0));
  }
}
