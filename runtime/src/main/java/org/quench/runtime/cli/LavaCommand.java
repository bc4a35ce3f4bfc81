package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.quench.hal.ChipImages;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.InputPort;
import org.quench.board.LavaChannelPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quench lava}: loads an image on a device (the emulator, or a board's chip through
 * {@code grpc://}) and serves Lava's channel protocol for it until the Lava side sends STOP. The
 * mapping of ports, frames and tokens is docs/lava-channel.md.
 */
@Command(name = "lava", mixinStandardHelpOptions = true,
    description = "Drive a chip from a Lava process over Lava's gRPC channel protocol.",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench lava m.qimg --input in=7001 --control 7000 --replies 127.0.0.1:7100",
        "  quench lava m.qimg --device grpc://board:50051/chip0 --input in=7001 --control 7000 \\",
        "      --replies 127.0.0.1:7100 --output out=127.0.0.1:7101 --variable v:lif1",
        "Lava sends one frame per step on each input channel and tokens on the control channel",
        "(n >= 0 run n steps, -1 stop, -2 pause, -3 get data); see docs/lava-channel.md."})
public final class LavaCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "The chip image to run.")
  Path image;

  @Option(names = "--device", paramLabel = "URI", defaultValue = Devices.DEFAULT_URI,
      description = "Device to drive (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address the channels listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--input", paramLabel = "PORT=TCP",
      description = "Serve an input channel for the image's input port PORT on TCP port TCP (0: any free one).")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--control", paramLabel = "TCP", defaultValue = "0",
      description = "TCP port of the control (token) channel (default: any free one).")
  int control;

  @Option(names = "--replies", paramLabel = "HOST:PORT", required = true,
      description = "Lava's receiving port for replies and GET_DATA arrays.")
  String replies;

  @Option(names = "--output", paramLabel = "PORT=HOST:PORT",
      description = "Push the spikes of output port PORT to a Lava receiving port.")
  List<String> outputs = new ArrayList<>();

  @Option(names = "--variable", paramLabel = "KIND:POPULATION",
      description = "A variable GET_DATA can read (ids count from 0 in the order given).")
  List<String> variables = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    if (!Files.isRegularFile(image)) {
      throw new QuenchException("image file " + image + " does not exist or is not a file");
    }
    ChipImage chip = ChipImages.read(image);
    PrintWriter out = spec.commandLine().getOut();
    // --quiet keeps the channel lines (Lava needs their ports) and drops the status messages.
    boolean quiet = CommandSupport.quiet(spec);
    try (Device dev = Devices.open(device)) {
      dev.load(chip);
      LavaChannelPort.Builder b = LavaChannelPort.builder(dev).host(host).control(control).replies(replies);
      for (String in : inputs) {
        String[] kv = split(in, "--input", "PORT=TCP");
        InputPort port = chip.getInputsList().stream().filter(p -> p.getName().equals(kv[0])).findFirst()
            .orElseThrow(() -> new QuenchException("--input " + in + ": the image has no input port '" + kv[0]
                + "'; it has " + chip.getInputsList().stream().map(InputPort::getName).toList()));
        b.input(kv[0], port.getWidth(), tcpPort(kv[1], "--input " + in));
      }
      for (String o : outputs) {
        String[] kv = split(o, "--output", "PORT=HOST:PORT");
        b.output(kv[0], kv[1]);
      }
      for (String v : variables) {
        b.variable(Probe.parse(v));
      }
      try (LavaChannelPort lava = b.start()) {
        for (String in : inputs) {
          String name = in.substring(0, in.indexOf('='));
          out.println("input channel '" + name + "' on " + host + ":" + lava.port(name));
        }
        out.println("control channel on " + host + ":" + lava.port(LavaChannelPort.CONTROL)
            + (quiet ? "" : "; waiting for Lava (STOP ends)"));
        out.flush();
        while (!lava.awaitStop(1000)) {
          // keep serving until Lava sends STOP or the process is interrupted
        }
      }
    }
    if (!quiet) {
      out.println("Lava sent STOP; device released");
    }
    return 0;
  }

  private static String[] split(String text, String option, String form) {
    int eq = text.indexOf('=');
    if (eq <= 0 || eq == text.length() - 1) {
      throw new QuenchException(option + " '" + text + "' is not " + form);
    }
    return new String[] {text.substring(0, eq), text.substring(eq + 1)};
  }

  private static int tcpPort(String text, String where) {
    try {
      int p = Integer.parseInt(text);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new QuenchException(where + ": '" + text + "' is not a TCP port (0..65535)");
    }
  }
}
