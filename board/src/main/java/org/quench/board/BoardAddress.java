package org.quench.board;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.quench.hal.QuenchException;

/**
 * Where a board is and how to talk to it, parsed from {@code grpc://host:port/chipN?...}:
 * {@code token} (else the environment's {@code QUENCH_TOKEN}), {@code tls=true} (system trust)
 * or {@code ca=/path/ca.pem}, {@code deadline} (ms per call, default 30000), {@code ttl} (lease,
 * ms), {@code batch} (steps per run batch, default 1000).
 */
final class BoardAddress {
  static final String ENV_TOKEN = "QUENCH_TOKEN";

  final String uri;
  final String host;
  final int port;
  final String device;
  final String token;
  final boolean tls;
  final Path ca;
  final long deadlineMillis;
  final long ttlMillis;
  final int batchSteps;
  /** How the user gives a token where this address came from (an option or the URI). */
  final String tokenHint;

  private BoardAddress(String uri, String host, int port, String device, String token,
      boolean tls, Path ca, long deadlineMillis, long ttlMillis, int batchSteps) {
    this.uri = uri;
    this.host = host;
    this.port = port;
    this.device = device;
    this.token = token;
    this.tls = tls;
    this.ca = ca;
    this.deadlineMillis = deadlineMillis;
    this.ttlMillis = ttlMillis;
    this.batchSteps = batchSteps;
    this.tokenHint = "add ?token=SECRET to the device URI or set " + ENV_TOKEN;
  }

  private BoardAddress(BoardAddress a, String tokenHint) {
    this.uri = a.uri;
    this.host = a.host;
    this.port = a.port;
    this.device = a.device;
    this.token = a.token;
    this.tls = a.tls;
    this.ca = a.ca;
    this.deadlineMillis = a.deadlineMillis;
    this.ttlMillis = a.ttlMillis;
    this.batchSteps = a.batchSteps;
    this.tokenHint = tokenHint;
  }

  /** A board named by {@code host:port} alone (for listing), with an explicit token or none. */
  static BoardAddress ofBoard(String hostPort, String token) {
    return new BoardAddress(parse(URI.create("grpc://" + hostPort + "/"), token, false),
        "pass --token SECRET or set " + ENV_TOKEN);
  }

  static BoardAddress parse(URI uri) {
    return parse(uri, null, true);
  }

  private static BoardAddress parse(URI uri, String explicitToken, boolean needDevice) {
    String text = uri.toString();
    String shown = text.replaceAll("token=[^&]*", "token=***");
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw new QuenchException("device URI '" + shown + "' needs a host and a port: "
          + "grpc://host:port/chip0");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String device = path.startsWith("/") ? path.substring(1) : path;
    if (needDevice && device.isEmpty()) {
      throw new QuenchException("device URI '" + shown + "' names no device; add /chip0 "
          + "(quench devices --board " + uri.getHost() + ":" + uri.getPort() + " lists them)");
    }
    Map<String, String> q = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        String key = decode(eq < 0 ? pair : pair.substring(0, eq));
        q.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    for (String key : q.keySet()) {
      if (!key.matches("token|tls|ca|deadline|ttl|batch")) {
        throw new QuenchException("device URI '" + shown + "': unknown parameter '" + key
            + "'; known: token, tls, ca, deadline, ttl, batch");
      }
    }
    String token = explicitToken != null ? explicitToken : q.get("token");
    if (token == null) {
      token = System.getenv(ENV_TOKEN);
    }
    Path ca = q.containsKey("ca") ? Path.of(q.get("ca")) : null;
    if (ca != null && !Files.isReadable(ca)) {
      throw new QuenchException("device URI '" + shown + "': CA file " + ca + " is not readable");
    }
    boolean tls = ca != null || "true".equals(q.get("tls"));
    return new BoardAddress(shown, uri.getHost(), uri.getPort(), device,
        token == null || token.isEmpty() ? null : token, tls, ca,
        number(q, "deadline", 30_000, shown), number(q, "ttl", 0, shown),
        (int) Math.min(Integer.MAX_VALUE, number(q, "batch", 1000, shown)));
  }

  private static long number(Map<String, String> q, String key, long fallback, String shown) {
    String v = q.get(key);
    if (v == null) {
      return fallback;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new QuenchException("device URI '" + shown + "': " + key + "='" + v
          + "' must be a positive integer");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  ManagedChannel channel() {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress(host, port)
        // Callbacks only hand messages to the caller's queue: run them on the I/O thread and
        // keep the client free of a thread pool of its own.
        .directExecutor()
        .maxInboundMessageSize(256 << 20);
    try {
      if (ca != null) {
        b.sslContext(GrpcSslContexts.forClient().trustManager(ca.toFile()).build());
      } else if (tls) {
        b.sslContext(GrpcSslContexts.forClient().build());
      } else {
        b.usePlaintext();
      }
    } catch (SSLException e) {
      throw new QuenchException("device URI '" + uri + "': cannot set up TLS: " + e.getMessage());
    }
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(BearerTokenCheck.AUTHORIZATION, "Bearer " + token);
      ClientInterceptor auth = MetadataUtils.newAttachHeadersInterceptor(headers);
      b.intercept(auth);
    }
    return b.build();
  }

  static void shutdown(ManagedChannel channel) {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A failed call as the one-line error a user can act on. */
  QuenchException error(String what, StatusRuntimeException e) {
    String detail = e.getStatus().getDescription();
    String board = host + ":" + port;
    return switch (e.getStatus().getCode()) {
      case UNAUTHENTICATED -> new QuenchException("board " + board + " refused the call to " + what
          + ": missing or invalid token; " + tokenHint);
      case UNAVAILABLE -> new QuenchException("cannot " + what + " on board " + board + ": "
          + (detail == null ? "unreachable" : detail) + "; is `quench serve` running there?");
      case DEADLINE_EXCEEDED -> new QuenchException("board " + board + " did not " + what
          + " within the deadline; raise ?deadline=MILLIS in the device URI");
      default -> new QuenchException("cannot " + what + " on " + uri + ": "
          + (detail == null ? e.getStatus().getCode().toString() : detail)
          + " (" + e.getStatus().getCode() + ")");
    };
  }
}
