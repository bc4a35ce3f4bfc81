package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.bench.RandomNetwork;
import org.quench.hal.ChipImages;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Stimulus;
import org.quench.board.BoardServer;
import org.quench.runtime.cli.QuenchCli;
import org.quench.runtime.io.NpyArray;
import picocli.CommandLine;

/** quench serve and quench devices as picocli commands, against a real board on loopback. */
class BoardCommandsTest {
  @TempDir
  Path dir;

  /** Runs quench, asserts success and returns what it printed (stdout and stderr). */
  private static String quench(String... args) {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
    int code = QuenchCli.execute(out, out, args);
    assertEquals(0, code, sink.toString(StandardCharsets.UTF_8));
    return sink.toString(StandardCharsets.UTF_8);
  }

  /** The "done when": quench run on a served board gives the bits of the local emulator. */
  @Test
  void quenchRunOnAServedBoardRecordsTheSameSpikesAndVoltagesAsLocally() throws Exception {
    Path image = dir.resolve("net.qimg");
    ChipImages.write(RandomNetwork.image(9, 3, 120), image);
    // Input: spikes on every tenth input axon every third step, as a (steps, width) .npy file.
    int steps = 60;
    int[] spikes = new int[steps * RandomNetwork.INPUTS];
    for (int t = 0; t < steps; t += 3) {
      for (int i = 0; i < RandomNetwork.INPUTS; i += 10) {
        spikes[t * RandomNetwork.INPUTS + i] = 1;
      }
    }
    Path input = dir.resolve("in.npy");
    NpyArray.ofInts(NpyArray.DType.U1, new int[] {steps, RandomNetwork.INPUTS}, spikes).write(input);
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs("--host", "127.0.0.1", "--port", "0", "--chips", "1",
        "--chip", "emu:loihi?threads=1", "--token", "s3cret");
    Path local = dir.resolve("local");
    Path remote = dir.resolve("remote");
    quench("run", image.toString(), "--input", input.toString(), "--probe", "v:lif", "--probe",
        "spikes:lif", "--record", local.toString(), "--quiet");
    String printed;
    try (BoardServer board = serve.start()) {
      printed = quench("run", image.toString(), "--device", "grpc://127.0.0.1:" + board.port()
          + "/chip0?token=s3cret", "--input", input.toString(), "--probe", "v:lif", "--probe",
          "spikes:lif", "--record", remote.toString(), "--quiet");
    }
    // The token is never echoed: not in the summary, not in the recording's metadata.
    assertTrue(printed.contains("?token=***") && !printed.contains("s3cret"), printed);
    String meta = Files.readString(remote.resolve("meta.json"));
    assertTrue(meta.contains("\"device_uri\": \"grpc://127.0.0.1:") && !meta.contains("s3cret"), meta);
    List<Path> files;
    try (var listing = Files.list(local)) {
      // meta.json names each side's device; the recorded values must be the same bits.
      files = listing.filter(f -> !f.getFileName().toString().equals("meta.json")).sorted().toList();
    }
    assertTrue(files.size() >= 3, "probes and the output port were recorded: " + files);
    long spikeCount = 0;
    for (Path f : files) {
      Path other = remote.resolve(f.getFileName());
      assertTrue(Arrays.equals(Files.readAllBytes(f), Files.readAllBytes(other)), f.getFileName() + " differs");
      if (f.getFileName().toString().contains("spikes")) {
        spikeCount += Arrays.stream(NpyArray.read(f).toInts()).filter(v -> v != 0).count();
      }
    }
    assertTrue(spikeCount > 0, "the comparison saw spikes");
  }

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
