package org.quench.board;

import io.grpc.Server;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;

/**
 * A board: hosts devices (opened by URI through {@link Devices#open}, or handed over) behind the
 * {@code quench.board.v1.Board} gRPC service on Netty. Devices are named {@code chip0},
 * {@code chip1}, ... in the order given.
 *
 * <p>Security: an optional bearer token (every call must carry it), optional TLS from PEM files.
 * Limits: maximum inbound message size, image size and steps per run batch; leases expire unless
 * used or renewed within their time to live, and end when the connection that took them closes
 * (the device is then reset). {@link #close()} refuses new work, gives running calls a grace
 * period, then cancels what is left and closes the devices.
 *
 * <p>Build one with {@link #builder()}, then {@link Builder#start()}.
 */
public final class BoardServer implements AutoCloseable {
  /** The board's limits; sizes in bytes, times in milliseconds. */
  record Limits(long maxImageBytes, int maxMessageBytes, long maxBatchSteps,
      long defaultLeaseMillis, long minLeaseMillis, long maxLeaseMillis, long maxUploadBytes,
      long maxConnectionUploadBytes) {}

  /**
   * How runs are going, for tests and monitoring.
   *
   * @param activeRuns Run streams open now
   * @param stalledRuns runs paused because their client is not reading their output
   * @param batchesRun batches run since start
   * @param maxBatchesInFlight the most batches ever being run or queued at one time, all runs
   *     together (each run has at most one: the board reads no input ahead)
   */
  public record RunStats(int activeRuns, int stalledRuns, long batchesRun, int maxBatchesInFlight) {}

  private final Server server;
  private final BoardService service;
  private final ExecutorService executor;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final long graceMillis;
  private boolean closed;

  private BoardServer(Server server, BoardService service, ExecutorService executor,
      EventLoopGroup boss, EventLoopGroup workers, long graceMillis) {
    this.server = server;
    this.service = service;
    this.executor = executor;
    this.boss = boss;
    this.workers = workers;
    this.graceMillis = graceMillis;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The TCP port the board listens on (the real one when 0 was asked for). */
  public int port() {
    return server.getPort();
  }

  /** Board names of the hosted devices, in order. */
  public List<String> deviceNames() {
    return List.copyOf(service.devices.keySet());
  }

  /** The hosted device of that name (e.g. to inspect it in a test). */
  public Device device(String name) {
    HostedDevice d = service.devices.get(name);
    if (d == null) {
      throw new QuenchException("no device '" + name + "' on this board; it has "
          + service.devices.keySet());
    }
    return d.device;
  }

  /** Whether some client holds a live lease on the device. */
  public boolean leased(String name) {
    return service.device(name).leased();
  }

  /** Bytes the board holds for image uploads in progress. */
  public long uploadBytesHeld() {
    return service.uploads.held();
  }

  public RunStats runStats() {
    BoardService.RunCounters c = service.counters;
    return new RunStats(c.activeRuns.get(), c.stalledRuns.get(), c.batchesRun.get(),
        c.maxBatchesInFlight.get());
  }

  /** Blocks until the board has shut down (e.g. from another thread's {@link #close()}). */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops accepting calls, lets calls in progress finish within the grace period, cancels the
   * rest (their leases end and devices reset), then closes every device. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    service.shuttingDown = true;
    server.shutdown();
    try {
      if (!server.awaitTermination(graceMillis, TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        // A connection stuck in a TLS handshake (say, a plaintext client) only ends at Netty's
        // handshake timeout; do not hold the devices hostage for it.
        server.awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    for (HostedDevice d : service.devices.values()) {
      synchronized (d) {
        d.device.close();
      }
    }
    executor.shutdown();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Collects a board's devices and settings. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private final List<String> uris = new ArrayList<>();
    private final List<Device> given = new ArrayList<>();
    private String token;
    private Path certChain;
    private Path privateKey;
    private int maxMessageBytes = 16 << 20;
    private long maxImageBytes = 256L << 20;
    private long maxUploadBytes = -1;
    private long maxConnectionUploadBytes = -1;
    private long maxBatchSteps = 1_000_000;
    private long defaultLeaseMillis = 60_000;
    private long minLeaseMillis = 100;
    private long maxLeaseMillis = 3_600_000;
    private long graceMillis = 2_000;
    private int threads = 0;
    private LongSupplier nanoClock = System::nanoTime;
    private PrintStream log = System.err;
    private boolean traces;

    private Builder() {}

    /**
     * Where the board reports dropped connections (one line each, rate-limited), and whether to
     * add their stack traces; default stderr, no traces.
     */
    public Builder log(PrintStream log, boolean traces) {
      this.log = Objects.requireNonNull(log);
      this.traces = traces;
      return this;
    }

    /** Address to listen on; default 127.0.0.1 (this machine only). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host);
      return this;
    }

    /** TCP port; 0 (the default) picks a free one, see {@link BoardServer#port()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new QuenchException("port " + port + " is not a TCP port (0..65535)");
      }
      this.port = port;
      return this;
    }

    /** Hosts the device this URI opens (e.g. {@code emu:loihi?serial=3}). */
    public Builder device(String uri) {
      uris.add(Objects.requireNonNull(uri));
      given.add(null);
      return this;
    }

    /** Hosts an already open device; the board closes it when it closes. */
    public Builder device(Device device) {
      uris.add(device.info().uri());
      given.add(device);
      return this;
    }

    /** Requires {@code Bearer <token>} on every call; null or empty means no token. */
    public Builder token(String token) {
      this.token = token == null || token.isEmpty() ? null : token;
      return this;
    }

    /** Serves TLS with this PEM certificate chain and PEM (PKCS#8) private key. */
    public Builder tls(Path certChain, Path privateKey) {
      this.certChain = certChain;
      this.privateKey = privateKey;
      return this;
    }

    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    public Builder maxImageBytes(long bytes) {
      this.maxImageBytes = bytes;
      return this;
    }

    /**
     * Memory all image uploads in progress may hold together, and one connection's uploads.
     * Defaults: a connection may hold one largest image; the board twice that, but at most a
     * quarter of the heap (and never less than one image).
     */
    public Builder maxUploadBytes(long perBoard, long perConnection) {
      if (perBoard < 1 || perConnection < 1) {
        throw new QuenchException("upload limits must be positive");
      }
      this.maxUploadBytes = perBoard;
      this.maxConnectionUploadBytes = perConnection;
      return this;
    }

    /** Largest batch of a run, in steps. */
    public Builder maxBatchSteps(long steps) {
      this.maxBatchSteps = steps;
      return this;
    }

    /** Lease time to live when the client asks for none, and the bounds a request is clamped to. */
    public Builder leaseMillis(long defaultMillis, long minMillis, long maxMillis) {
      if (minMillis < 1 || minMillis > defaultMillis || defaultMillis > maxMillis) {
        throw new QuenchException("lease times must satisfy 1 <= min <= default <= max");
      }
      this.defaultLeaseMillis = defaultMillis;
      this.minLeaseMillis = minMillis;
      this.maxLeaseMillis = maxMillis;
      return this;
    }

    /** How long {@link BoardServer#close()} waits for calls before cancelling them. */
    public Builder graceMillis(long millis) {
      this.graceMillis = millis;
      return this;
    }

    /** Threads that run calls (device steps run on them); default 2 per device + 4. */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /** The clock leases expire by, in nanoseconds (System::nanoTime unless testing expiry). */
    public Builder clock(LongSupplier nanoClock) {
      this.nanoClock = Objects.requireNonNull(nanoClock);
      return this;
    }

    /** Opens the devices and starts listening; throws QuenchException when it cannot. */
    public BoardServer start() {
      if (uris.isEmpty()) {
        throw new QuenchException("a board needs at least one device; add one with --chip or device(...)");
      }
      Map<String, HostedDevice> devices = new LinkedHashMap<>();
      for (int i = 0; i < uris.size(); i++) {
        Device d = given.get(i) != null ? given.get(i) : Devices.open(uris.get(i));
        devices.put("chip" + i, new HostedDevice("chip" + i, uris.get(i), d, nanoClock));
      }
      long perConnection = maxConnectionUploadBytes > 0 ? maxConnectionUploadBytes : maxImageBytes;
      long perBoard = maxUploadBytes > 0 ? maxUploadBytes
          : Math.max(maxImageBytes, Math.min(2 * maxImageBytes, Runtime.getRuntime().maxMemory() / 4));
      Limits limits = new Limits(maxImageBytes, maxMessageBytes, maxBatchSteps,
          defaultLeaseMillis, minLeaseMillis, maxLeaseMillis, perBoard, perConnection);
      BoardService service = new BoardService(devices, limits);
      int n = threads > 0 ? threads : 2 * devices.size() + 4;
      ExecutorService executor = Executors.newFixedThreadPool(n, named("quench-board-call"));
      EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, named("quench-board-accept"),
          NioIoHandler.newFactory());
      EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
          Math.min(4, Runtime.getRuntime().availableProcessors()), named("quench-board-io"),
          NioIoHandler.newFactory());
      ConnectionLog.install(log, traces);
      ConnectionIds connections = new ConnectionIds(service);
      NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
          .bossEventLoopGroup(boss)
          .workerEventLoopGroup(workers)
          .channelType(NioServerSocketChannel.class)
          .executor(executor)
          .maxInboundMessageSize(maxMessageBytes)
          .addTransportFilter(connections)
          .addService(RequestParsing.of(service))
          .intercept(connections);
      if (token != null) {
        // Added last, so it runs first: nothing else sees an unauthenticated call.
        b.intercept(new BearerTokenCheck(token));
      }
      try {
        if (certChain != null) {
          b.sslContext(GrpcSslContexts.forServer(certChain.toFile(), privateKey.toFile()).build());
        }
        Server server = b.build().start();
        return new BoardServer(server, service, executor, boss, workers, graceMillis);
      } catch (IOException | IllegalArgumentException e) {
        executor.shutdown();
        boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        for (HostedDevice d : devices.values()) {
          d.device.close();
        }
        String what = e instanceof SSLException || e instanceof IllegalArgumentException
            ? "cannot start TLS with certificate " + certChain + " and key " + privateKey + ": "
            : "cannot listen on " + host + ":" + port + ": ";
        throw new QuenchException(what + e.getMessage()
            + "; check that the port is free and the files are PEM", e);
      }
    }

    private static ThreadFactory named(String prefix) {
      AtomicInteger count = new AtomicInteger();
      return r -> {
        Thread t = new Thread(r, prefix + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      };
    }
  }
}
