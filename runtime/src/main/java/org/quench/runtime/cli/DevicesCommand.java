package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.quench.hal.DeviceProvider;
import org.quench.hal.Devices;
import org.quench.board.BoardListing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quench devices}: without {@code --board}, the device providers on the class path (what
 * URIs can be opened here); with {@code --board host:port}, the devices that board offers.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
    description = "List device providers, or the devices a board offers (--board host:port).",
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench devices                               the providers on this machine (emu:, grpc:, ...)",
        "  quench devices --board 127.0.0.1:7000        what a running 'quench serve' hosts"})
public final class DevicesCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--board", paramLabel = "HOST:PORT", description = "Ask this board (quench serve) what it hosts.")
  String board;

  @Option(names = "--token", paramLabel = "SECRET", description = "The board's token (default: $QUENCH_TOKEN).")
  String token;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (board == null) {
      out.println("device providers on this machine:");
      for (DeviceProvider p : Devices.providers()) {
        out.printf("  %-6s %s%n", p.scheme() + ":", p.description());
      }
      out.flush();
      return 0;
    }
    BoardListing listing = BoardListing.fetch(board, token);
    out.printf("board %s (version %s, images up to %d MiB): %d device%s%n", listing.board(),
        listing.version(), listing.maxImageBytes() >> 20, listing.devices().size(),
        listing.devices().size() == 1 ? "" : "s");
    String format = "  %-8s %-34s %-10s %-8s %-8s %-6s %s%n";
    out.printf(format, "NAME", "URI", "SPEC", "SERIAL", "PROVIDER", "CHIPS", "STATE");
    for (BoardListing.Entry e : listing.devices()) {
      out.printf(format, e.name(), e.uri(), e.info().specName(), e.info().serial(),
          e.info().properties().getOrDefault("board.provider", "?"), e.info().chips(),
          e.leased() ? "leased" : "free");
    }
    out.flush();
    return 0;
  }
}
