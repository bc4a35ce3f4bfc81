package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Stimulus;
import org.quench.hal.rpc.BoardServer;
import picocli.CommandLine;

/** quench serve and quench devices as picocli commands, against a real board on loopback. */
class BoardCommandsTest {
  @Test
  void serveHostsNumberedEmulatedChipsThatDevicesLists() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--chips", "3");
    assertEquals(List.of("emu:loihi?serial=0", "emu:loihi?serial=1", "emu:loihi?serial=2"),
        serve.deviceUris());
    // One stepping thread per chip keeps the test light on a busy machine.
    new CommandLine(serve).parseArgs("--host", "127.0.0.1", "--port", "0", "--chips", "3",
        "--chip", "emu:loihi?threads=1", "--token", "t0k");
    try (BoardServer board = serve.start()) {
      String target = "127.0.0.1:" + board.port();
      try (Device d = Devices.open("grpc://" + target + "/chip2?token=t0k")) {
        d.load(RandomNetwork.image(3, 2, 50));
        assertEquals(4, d.run(Stimulus.idle(4)).steps());
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new DevicesCommand());
        cli.setOut(new PrintWriter(text));
        assertEquals(0, cli.execute("--board", target, "--token", "t0k"));
        String listing = text.toString();
        assertTrue(listing.contains("3 devices"), listing);
        assertTrue(listing.matches("(?s).*chip2 .*loihi .*2 .*emu .*leased.*"), listing);
        assertTrue(listing.matches("(?s).*chip0 .*free.*"), listing);
      }
    }
  }

  @Test
  void aChipUriKeepsItsOwnSerialAndSpecNamesBecomeEmulatorUris() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--chips", "2", "--chip", "emu:loihi?serial=7&threads=1");
    assertEquals(List.of("emu:loihi?serial=7&threads=1", "emu:loihi?serial=7&threads=1"),
        serve.deviceUris());
    new CommandLine(serve).parseArgs("--chip", "/specs/my chip.json");
    assertEquals(List.of("emu:/specs/my chip.json?serial=0"), serve.deviceUris());
  }

  @Test
  void devicesWithoutABoardListsTheProvidersHere() {
    StringWriter text = new StringWriter();
    CommandLine cli = new CommandLine(new DevicesCommand());
    cli.setOut(new PrintWriter(text));
    assertEquals(0, cli.execute());
    assertTrue(text.toString().contains("emu:"), text.toString());
    assertTrue(text.toString().contains("grpc:"), text.toString());
  }
}
