package org.quench.board;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.quench.hal.Device;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.board.proto.grpcchannel.DataReply;
import org.quench.board.proto.grpcchannel.GrpcChannelServerGrpc;
import org.quench.board.proto.grpcchannel.GrpcMetaData;

/**
 * A device seen from Lava: Lava's {@code grpcchannel.GrpcChannelServer} served once per channel
 * (Lava's channels are point to point, one address each), so a Lava process can stream spike
 * arrays into the device's input ports and drive it with management tokens, while the device's
 * output spikes and the replies go back to receiving ports the Lava process serves.
 *
 * <p>Channels (docs/lava-channel.md has the full mapping):
 * <ul>
 * <li>an input channel per mapped input port: each frame is one step's values of that port
 *     (any shape whose element count is the port's width; element i is port index i; 0 is no
 *     spike, other integers are spikes or graded payloads);
 * <li>the control channel: 1-element float64 tokens. {@code n >= 0} RUN n steps: at each step
 *     one frame is taken from every input channel (waiting for it), the device runs the step, and
 *     each mapped output port's spikes are sent as a float64 array of its width; then DONE (0).
 *     STOP (-1): TERMINATED (-1), later frames are answered {@code ack = false}. PAUSE (-2):
 *     PAUSED (-3), between steps when running. GET_DATA (-3): the next control frame is a
 *     variable id (the index of a probe given to {@link Builder#variable}); its current values
 *     are sent as a float64 array on the reply channel. SET_DATA (-4): the variable id and a
 *     data frame follow; Quench cannot write chip state, so it answers ERROR (-2). Anything else
 *     is ERROR (-2).
 * </ul>
 * A frame that does not add up is refused with INVALID_ARGUMENT and never reaches the device.
 * Input frames wait in a bounded queue per channel; when it is full the sender's call waits.
 */
public final class LavaChannelPort implements AutoCloseable {
  /** Management tokens and replies of Lava's runtime service protocol. */
  public static final double STOP = -1;
  public static final double PAUSE = -2;
  public static final double GET_DATA = -3;
  public static final double SET_DATA = -4;
  public static final double DONE = 0;
  public static final double TERMINATED = -1;
  public static final double ERROR = -2;
  public static final double PAUSED = -3;
  /** The name {@link #port(String)} knows the control channel by. */
  public static final String CONTROL = "control";
  /** Frames an input channel holds before its sender waits. */
  static final int QUEUE_FRAMES = 1024;

  private final Device device;
  private final Map<String, Integer> widths;
  private final Map<String, BlockingQueue<int[]>> inputs = new LinkedHashMap<>();
  private final BlockingQueue<GrpcMetaData> control = new ArrayBlockingQueue<>(QUEUE_FRAMES);
  private final Map<String, LavaChannelSender> outputs;
  private final LavaChannelSender replies;
  private final List<Probe> variables;
  private final Map<String, Server> servers = new LinkedHashMap<>();
  private final ExecutorService calls;
  private final EventLoopGroup loops;
  private final Thread worker;
  private volatile boolean stopping;

  private LavaChannelPort(Builder b) {
    this.device = b.device;
    this.widths = Map.copyOf(b.inputs);
    this.outputs = new LinkedHashMap<>();
    this.variables = List.copyOf(b.variables);
    AtomicInteger n = new AtomicInteger();
    this.calls = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "quench-lava-call-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.loops = new MultiThreadIoEventLoopGroup(1, r -> {
      Thread t = new Thread(r, "quench-lava-io");
      t.setDaemon(true);
      return t;
    }, NioIoHandler.newFactory());
    this.replies = b.replies == null ? null : LavaChannelSender.connect(b.replies, b.deadlineMillis);
    for (Map.Entry<String, String> e : b.outputs.entrySet()) {
      outputs.put(e.getKey(), LavaChannelSender.connect(e.getValue(), b.deadlineMillis));
    }
    try {
      for (Map.Entry<String, Integer> e : b.inputs.entrySet()) {
        BlockingQueue<int[]> q = new ArrayBlockingQueue<>(QUEUE_FRAMES);
        inputs.put(e.getKey(), q);
        servers.put(e.getKey(), serve(b.host, b.inputPorts.get(e.getKey()),
            new InputChannel(e.getKey(), e.getValue(), q)));
      }
      servers.put(CONTROL, serve(b.host, b.controlPort, new ControlChannel()));
    } catch (IOException e) {
      close();
      throw new QuenchException("cannot listen for Lava channels on " + b.host + ": "
          + e.getMessage() + "; check that the ports are free");
    }
    this.worker = new Thread(this::work, "quench-lava-run");
    worker.setDaemon(true);
    worker.start();
  }

  /** Starts describing the Lava channels of {@code device} (already loaded with its image). */
  public static Builder builder(Device device) {
    return new Builder(device);
  }

  private Server serve(String host, int port, GrpcChannelServerGrpc.GrpcChannelServerImplBase s)
      throws IOException {
    return NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .bossEventLoopGroup(loops).workerEventLoopGroup(loops)
        .channelType(NioServerSocketChannel.class).executor(calls)
        .maxInboundMessageSize(64 << 20).addService(s).build().start();
  }

  /** The TCP port of a channel: an input port's name, or {@link #CONTROL}. */
  public int port(String channel) {
    Server s = servers.get(channel);
    if (s == null) {
      throw new QuenchException("no Lava channel '" + channel + "'; there are " + servers.keySet());
    }
    return s.getPort();
  }

  /**
   * Waits up to {@code millis} for the Lava side to send STOP (or for {@link #close()}); true when
   * the run loop has ended.
   */
  public boolean awaitStop(long millis) throws InterruptedException {
    worker.join(Math.max(1, millis));
    return !worker.isAlive();
  }

  /** Stops the channels and the run loop; the device stays open (it is the caller's). */
  @Override
  public void close() {
    stopping = true;
    if (worker != null) {
      worker.interrupt();
    }
    for (Server s : servers.values()) {
      s.shutdownNow();
    }
    for (Server s : servers.values()) {
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (worker != null) {
      try {
        worker.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (LavaChannelSender s : outputs.values()) {
      s.close();
    }
    if (replies != null) {
      replies.close();
    }
    calls.shutdownNow();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class InputChannel extends GrpcChannelServerGrpc.GrpcChannelServerImplBase {
    private final String port;
    private final int width;
    private final BlockingQueue<int[]> queue;

    InputChannel(String port, int width, BlockingQueue<int[]> queue) {
      this.port = port;
      this.width = width;
      this.queue = queue;
    }

    @Override
    public void recvArrayData(GrpcMetaData frame, StreamObserver<DataReply> reply) {
      int[] values;
      try {
        values = LavaArrays.integers(frame);
        if (values.length != width) {
          throw new LavaArrays.BadFrame("the frame has " + values.length
              + " elements but input port '" + port + "' is " + width + " wide");
        }
      } catch (LavaArrays.BadFrame e) {
        reply.onError(Status.INVALID_ARGUMENT.withDescription("Lava frame for input port '"
            + port + "': " + e.getMessage()).asRuntimeException());
        return;
      }
      boolean ack = false;
      try {
        // Waits while the queue is full: the sender slows down instead of the board filling up.
        while (!stopping && !(ack = queue.offer(values, 100, TimeUnit.MILLISECONDS))) {
          // keep waiting
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply.onNext(DataReply.newBuilder().setAck(ack && !stopping).build());
      reply.onCompleted();
    }
  }

  private final class ControlChannel extends GrpcChannelServerGrpc.GrpcChannelServerImplBase {
    @Override
    public void recvArrayData(GrpcMetaData frame, StreamObserver<DataReply> reply) {
      try {
        LavaArrays.check(frame);
      } catch (LavaArrays.BadFrame e) {
        reply.onError(Status.INVALID_ARGUMENT.withDescription("Lava control frame: "
            + e.getMessage()).asRuntimeException());
        return;
      }
      boolean ack = false;
      try {
        while (!stopping && !(ack = control.offer(frame, 100, TimeUnit.MILLISECONDS))) {
          // keep waiting
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      reply.onNext(DataReply.newBuilder().setAck(ack && !stopping).build());
      reply.onCompleted();
    }
  }

  /** The run loop: one management command at a time, in arrival order. */
  private void work() {
    try {
      while (!stopping) {
        double token = scalarOrError(control.take());
        if (Double.isNaN(token)) {
          continue;
        }
        if (token >= 0) {
          if (token != Math.rint(token) || token > Integer.MAX_VALUE) {
            reply(ERROR);
          } else {
            run((int) token);
          }
        } else if (token == STOP) {
          stopping = true;
          reply(TERMINATED);
        } else if (token == PAUSE) {
          reply(PAUSED);
        } else if (token == GET_DATA) {
          getData();
        } else if (token == SET_DATA) {
          control.take();
          control.take();
          reply(ERROR);
        } else {
          reply(ERROR);
        }
      }
    } catch (InterruptedException e) {
      // close(): leave quietly.
    }
  }

  private double scalarOrError(GrpcMetaData frame) {
    try {
      return LavaArrays.scalar(frame);
    } catch (LavaArrays.BadFrame e) {
      reply(ERROR);
      return Double.NaN;
    }
  }

  private void run(int steps) throws InterruptedException {
    for (int t = 0; t < steps; t++) {
      Stimulus.Builder s = Stimulus.builder(1);
      for (Map.Entry<String, BlockingQueue<int[]>> e : inputs.entrySet()) {
        int[] frame = null;
        while (frame == null) {
          if (interrupted()) {
            // PAUSE or STOP waits at the head of the control queue: the loop answers it next.
            return;
          }
          frame = e.getValue().poll(20, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < frame.length; i++) {
          if (frame[i] != 0) {
            s.payload(0, e.getKey(), i, frame[i]);
          }
        }
      }
      if (interrupted()) {
        return;
      }
      RunResult r;
      try {
        r = device.run(s.build());
      } catch (QuenchException e) {
        reply(ERROR);
        return;
      }
      for (Map.Entry<String, LavaChannelSender> e : outputs.entrySet()) {
        RunResult.SpikeEvents ev = r.output(e.getKey());
        int[] dense = new int[ev.width()];
        for (int i = 0; i < ev.count(); i++) {
          dense[ev.indices()[i]] = ev.values()[i];
        }
        try {
          e.getValue().send(dense, ev.width());
        } catch (QuenchException x) {
          reply(ERROR);
          return;
        }
      }
    }
    reply(DONE);
  }

  /** Whether PAUSE or STOP is waiting: a run ends between steps to let it through. */
  private boolean interrupted() {
    GrpcMetaData next = control.peek();
    if (next == null) {
      return stopping;
    }
    try {
      double token = LavaArrays.scalar(next);
      return token == PAUSE || token == STOP;
    } catch (LavaArrays.BadFrame e) {
      return false;
    }
  }

  private void getData() throws InterruptedException {
    double id = scalarOrError(control.take());
    if (Double.isNaN(id)) {
      return;
    }
    if (id != Math.rint(id) || id < 0 || id >= variables.size() || replies == null) {
      reply(ERROR);
      return;
    }
    int[] values;
    try {
      values = device.read(variables.get((int) id));
    } catch (QuenchException e) {
      reply(ERROR);
      return;
    }
    try {
      replies.send(values, values.length);
    } catch (QuenchException e) {
      // The Lava side is gone; nothing left to tell it.
    }
  }

  private void reply(double code) {
    if (replies == null) {
      return;
    }
    try {
      replies.sendToken(code);
    } catch (QuenchException e) {
      // The Lava side is gone; nothing left to tell it.
    }
  }

  /** Collects channel addresses. Ports 0 pick free ones ({@link LavaChannelPort#port}). */
  public static final class Builder {
    private final Device device;
    private String host = "127.0.0.1";
    private final Map<String, Integer> inputs = new LinkedHashMap<>();
    private final Map<String, Integer> inputPorts = new LinkedHashMap<>();
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private final List<Probe> variables = new ArrayList<>();
    private int controlPort;
    private String replies;
    private long deadlineMillis = 30_000;

    private Builder(Device device) {
      this.device = device;
    }

    /** Address the channels listen on; default 127.0.0.1. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Serves an input channel for the device's input port {@code port} of {@code width}. */
    public Builder input(String port, int width, int listenPort) {
      inputs.put(port, width);
      inputPorts.put(port, listenPort);
      return this;
    }

    /** The TCP port of the control (management token) channel. */
    public Builder control(int listenPort) {
      this.controlPort = listenPort;
      return this;
    }

    /** The Lava receiving port (host:port) for replies and GET_DATA arrays. */
    public Builder replies(String hostPort) {
      this.replies = hostPort;
      return this;
    }

    /** Pushes the spikes of output port {@code port} to the Lava receiving port at host:port. */
    public Builder output(String port, String hostPort) {
      outputs.put(port, hostPort);
      return this;
    }

    /** Adds a variable GET_DATA can read; its id is the order of these calls, from 0. */
    public Builder variable(Probe probe) {
      variables.add(probe);
      return this;
    }

    /** Deadline of each array Quench sends, milliseconds. */
    public Builder deadlineMillis(long millis) {
      this.deadlineMillis = millis;
      return this;
    }

    public LavaChannelPort start() {
      return new LavaChannelPort(this);
    }
  }
}
