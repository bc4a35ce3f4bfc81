package org.quench.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.quench.hal.QuenchException;
import org.quench.board.BoardServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quench serve}: hosts devices behind the board gRPC service until interrupted. By default
 * N emulated chips of one spec ({@code emu:SPEC?serial=i}); {@code --chip} may instead name any
 * provider's device URI, which is then opened N times with {@code serial=i} added when the URI
 * has no serial of its own.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Host devices (emulated by default) as a board over gRPC.",
        "Each hosted device (chip0, chip1, ...) is one whole emulated system of the spec, not a single"
            + " chip: with loihi that is up to 32 chips of 128 cores, as large as an image may span."
            + " --chips N hosts N such systems, serials 0..N-1."},
    footerHeading = "%nExamples:%n",
    footer = {
        "  quench serve --port 7000 --chips 4           four emulated loihi systems (of up to 32 chips each)",
        "  quench serve --port 7000 --token s3cret      clients must send the bearer token",
        "  quench run m.qimg --device grpc://127.0.0.1:7000/chip0   use it from another shell"})
public final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", defaultValue = "50051", description = "TCP port (0: any free one; default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--chips", defaultValue = "1", paramLabel = "N",
      description = "Devices to host, chip0..chipN-1, each a whole emulated system of the spec (loihi:"
          + " up to 32 chips; default ${DEFAULT-VALUE}).")
  int chips;

  @Option(names = "--chip", defaultValue = "loihi", paramLabel = "SPEC",
      description = "Chip spec name or file for emulated chips, or a device URI (default ${DEFAULT-VALUE}).")
  String chip;

  @Option(names = "--token", paramLabel = "SECRET",
      description = "Require 'Bearer SECRET' on every call (default: $QUENCH_TOKEN if set, else none).")
  String token;

  @Option(names = "--tls", arity = "2", paramLabel = "FILE",
      description = "Serve TLS with a PEM certificate chain and a PEM (PKCS#8) private key: --tls CERT KEY.")
  List<Path> tls;

  @Option(names = "--max-image-mb", defaultValue = "256", description = "Largest image accepted, MiB (default ${DEFAULT-VALUE}).")
  long maxImageMb;

  @Option(names = "--lease-ms", defaultValue = "60000",
      description = "Lease time to live when a client asks for none, ms (default ${DEFAULT-VALUE}).")
  long leaseMillis;

  /** The device URIs this command hosts, in board order. */
  List<String> deviceUris() {
    if (chips < 1 || chips > 1024) {
      throw new QuenchException("--chips " + chips + " must be between 1 and 1024");
    }
    boolean isUri = chip.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !chip.matches("[a-zA-Z]:\\\\.*");
    String base = isUri ? chip : "emu:" + chip;
    boolean hasSerial = base.matches(".*[?&]serial=.*");
    String[] uris = new String[chips];
    for (int i = 0; i < chips; i++) {
      uris[i] = hasSerial ? base : base + (base.contains("?") ? "&" : "?") + "serial=" + i;
    }
    return List.of(uris);
  }

  /** Opens the devices and starts the board (without waiting). */
  BoardServer start() {
    BoardServer.Builder b = BoardServer.builder().host(host).port(port)
        .maxImageBytes(maxImageMb << 20)
        .leaseMillis(leaseMillis, Math.min(100, leaseMillis), Math.max(leaseMillis, 3_600_000));
    for (String uri : deviceUris()) {
      b.device(uri);
    }
    String secret = token != null ? token : System.getenv("QUENCH_TOKEN");
    b.token(secret);
    if (tls != null) {
      b.tls(tls.get(0), tls.get(1));
    }
    return b.start();
  }

  @Override
  public Integer call() throws InterruptedException {
    BoardServer board = start();
    Runtime.getRuntime().addShutdownHook(new Thread(board::close, "quench-serve-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    // --quiet keeps the first line only: it says where the board listens (--port 0 picks any).
    boolean quiet = CommandSupport.quiet(spec);
    out.printf("board listening on %s:%d (%s%s), %d device%s%s%n", host, board.port(),
        tls != null ? "TLS" : "plaintext", board.deviceNames().isEmpty() ? "" :
        (token != null || System.getenv("QUENCH_TOKEN") != null ? ", token required" : ""),
        board.deviceNames().size(), board.deviceNames().size() == 1 ? "" : "s", quiet ? "" : ":");
    if (!quiet) {
      List<String> uris = deviceUris();
      for (int i = 0; i < uris.size(); i++) {
        out.printf("  %s  %s%n", board.deviceNames().get(i), uris.get(i));
      }
      out.println("each device is a whole emulated system of the spec (up to its maxChips chips); clients"
          + " open grpc://HOST:" + board.port() + "/chip0; Ctrl-C stops the board");
    }
    out.flush();
    board.awaitTermination();
    return 0;
  }
}
