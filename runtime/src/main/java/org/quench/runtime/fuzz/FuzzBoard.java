package org.quench.runtime.fuzz;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.quench.board.BoardServer;
import org.quench.board.RawBytes;
import org.quench.board.proto.BoardGrpc;
import org.quench.board.proto.LeaseReply;
import org.quench.board.proto.ListDevicesRequest;
import org.quench.board.proto.ReleaseRequest;
import org.quench.hal.QuenchException;

/**
 * A real board server on 127.0.0.1 hosting one emulated chip, and a client that sends it a
 * session's requests as raw bytes. A case is refused when the board answers a call with a status
 * that says what is wrong (a client error code and a one-line description); it fails when the
 * board answers with an internal or unknown error, does not answer within the deadline, logs more
 * than one line per event, keeps upload memory after the case, or stops answering.
 */
final class FuzzBoard implements AutoCloseable {
  /** Seconds a call may take before the case fails as "no answer". */
  private static final int DEADLINE_SECONDS = 10;
  /** Status codes with which a board refuses a client's mistake. */
  private static final Set<Status.Code> REFUSALS = Set.of(Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.OUT_OF_RANGE, Status.Code.PERMISSION_DENIED, Status.Code.ALREADY_EXISTS,
      Status.Code.ABORTED, Status.Code.UNAUTHENTICATED, Status.Code.CANCELLED);
  /**
   * What gRPC itself answers (with INTERNAL) to a request stream of the wrong shape before the
   * board's code sees it: bytes that are no protobuf, or not exactly one request on a unary call.
   */
  private static final List<String> GRPC_SHAPE_REFUSALS = List.of("Invalid protobuf byte sequence",
      "Too many requests", "Half-closed without a request");

  /** The name the board gives its only device. */
  static final String DEVICE = "chip0";

  private final BoardServer board;
  private final ManagedChannel channel;
  private final String device;
  /** Lines the board logged that are not its own one-line reports (stack trace lines). */
  private final AtomicLong foreignLogLines = new AtomicLong();

  FuzzBoard() {
    board = BoardServer.builder().device("emu:loihi?threads=1").log(new PrintStream(new LineCheck(),
        true, StandardCharsets.UTF_8), false).start();
    device = board.deviceNames().get(0);
    if (!device.equals(DEVICE)) {
      board.close();
      throw new IllegalStateException("the board named its device " + device + ", not " + DEVICE);
    }
    channel = NettyChannelBuilder.forAddress("127.0.0.1", board.port()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
  }

  /** The hosted device's name. */
  String device() {
    return device;
  }

  /** Sends {@code session}'s calls in order; throws as described on the class. */
  void exercise(BoardSession session) {
    String lease = null;
    long logBefore = foreignLogLines.get();
    RuntimeException outcome = null;
    try {
      for (BoardSession.Call call : session.calls()) {
        List<byte[]> replies = new ArrayList<>();
        Status s = send(call, lease, replies);
        if (call.rpc() == BoardSession.Rpc.LEASE && s.isOk() && !replies.isEmpty()) {
          lease = LeaseReply.parseFrom(replies.get(0)).getLeaseId();
        }
        if (!s.isOk()) {
          outcome = judge(call.rpc(), s);
          break;
        }
      }
    } catch (InvalidProtocolBufferException e) {
      outcome = new IllegalStateException("the board's lease reply is not a LeaseReply: " + e.getMessage());
    } finally {
      if (lease != null) {
        release(lease);
      }
    }
    alive();
    if (foreignLogLines.get() != logBefore) {
      throw new IllegalStateException("the board logged " + (foreignLogLines.get() - logBefore)
          + " line(s) that are not one-line reports (a stack trace?)");
    }
    if (outcome != null) {
      throw outcome;
    }
  }

  private RuntimeException judge(BoardSession.Rpc rpc, Status s) {
    String d = s.getDescription();
    boolean shape = s.getCode() == Status.Code.INTERNAL && d != null
        && GRPC_SHAPE_REFUSALS.stream().anyMatch(d::startsWith);
    if ((REFUSALS.contains(s.getCode()) || shape) && Fuzzer.clear(d)) {
      return new QuenchException("board refused " + rpc + ": " + s.getCode() + ": " + d);
    }
    return new IllegalStateException("board answered " + rpc + " with " + s.getCode() + ": " + d
        + (s.getCause() == null ? "" : " (" + s.getCause() + ")"));
  }

  @SuppressWarnings("unchecked")
  private Status send(BoardSession.Call call, String lease, List<byte[]> replies) {
    MethodDescriptor<byte[], byte[]> method =
        ((MethodDescriptor<Object, Object>) call.rpc().method).toBuilder(RawBytes.MARSHALLER, RawBytes.MARSHALLER).build();
    ClientCall<byte[], byte[]> c = channel.newCall(method,
        CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    c.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(byte[] message) {
        synchronized (replies) {
          replies.add(message);
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    c.request(Integer.MAX_VALUE);
    for (byte[] m : call.messages()) {
      c.sendMessage(withLease(call.rpc(), m, lease));
    }
    c.halfClose();
    try {
      return closed.get(DEADLINE_SECONDS + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      c.cancel("interrupted", e);
      throw new IllegalStateException("interrupted waiting for the board");
    } catch (ExecutionException | TimeoutException e) {
      c.cancel("no answer", e);
      throw new IllegalStateException("the board did not answer " + call.rpc() + " within "
          + DEADLINE_SECONDS + " s");
    }
  }

  /** The request with the granted lease id where the session says {@link BoardSession#LEASE}. */
  private static byte[] withLease(BoardSession.Rpc rpc, byte[] bytes, String lease) {
    Message m = rpc.parse(bytes);
    if (m == null || lease == null) {
      return bytes;
    }
    Message.Builder b = m.toBuilder();
    return replaceLease(b, 0, lease) ? b.build().toByteArray() : bytes;
  }

  private static boolean replaceLease(Message.Builder b, int depth, String lease) {
    boolean changed = false;
    for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
      if (f.isRepeated()) {
        continue;
      }
      if (f.getName().equals("lease_id") && BoardSession.LEASE.equals(b.getField(f))) {
        b.setField(f, lease);
        changed = true;
      } else if (depth < 2 && f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && b.hasField(f)) {
        Message.Builder child = b.getFieldBuilder(f);
        changed |= replaceLease(child, depth + 1, lease);
      }
    }
    return changed;
  }

  private void release(String lease) {
    try {
      BoardGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .release(ReleaseRequest.newBuilder().setDevice(device).setLeaseId(lease).build());
    } catch (io.grpc.StatusRuntimeException e) {
      // released by the session itself, or never granted
    }
  }

  /** The board still answers and holds no upload memory once the case is over. */
  private void alive() {
    try {
      BoardGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
          .listDevices(ListDevicesRequest.getDefaultInstance());
    } catch (io.grpc.StatusRuntimeException e) {
      throw new IllegalStateException("the board stopped answering: " + e.getStatus());
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (board.uploadBytesHeld() != 0) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException("the board still holds " + board.uploadBytesHeld()
            + " upload bytes after the case");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    board.close();
  }

  /** Counts log lines that are not the board's own one-line reports. */
  private final class LineCheck extends OutputStream {
    private final StringBuilder line = new StringBuilder();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        if (!line.toString().startsWith("quench board:")) {
          foreignLogLines.incrementAndGet();
        }
        line.setLength(0);
      } else if (line.length() < 200) {
        line.append((char) b);
      }
    }
  }
}
