package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quench.board.BoardServer;
import org.quench.board.RawBytes;
import org.quench.board.proto.BoardGrpc;
import org.quench.board.proto.ImageChunk;
import org.quench.board.proto.ImageHeaderChunk;
import org.quench.board.proto.LeaseRequest;
import org.quench.board.proto.LoadImageReply;

/**
 * A board against a client that lies about sizes, holds uploads open, sends huge names and
 * garbage bytes: every such request gets a bounded, one-line answer and the board's memory stays
 * bounded. Real gRPC servers on 127.0.0.1.
 */
class BoardHardeningTest {
  private static final String SHA = "0".repeat(64);

  /** An upload kept open: the header and {@code bytes} bytes of data, never completed. */
  private record OpenUpload(StreamObserver<ImageChunk> stream, CompletableFuture<LoadImageReply> end) {}

  private static OpenUpload openUpload(ManagedChannel ch, String lease, long declared, int bytes) {
    CompletableFuture<LoadImageReply> end = new CompletableFuture<>();
    StreamObserver<ImageChunk> up = BoardGrpc.newStub(ch).loadImage(new StreamObserver<>() {
      @Override
      public void onNext(LoadImageReply value) {
        end.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        end.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    up.onNext(ImageChunk.newBuilder().setHeader(ImageHeaderChunk.newBuilder().setDevice("chip0")
        .setLeaseId(lease).setTotalSize(declared).setSha256(SHA)).build());
    byte[] data = new byte[bytes];
    for (int at = 0; at < bytes; at += 32 << 10) {
      int n = Math.min(32 << 10, bytes - at);
      up.onNext(ImageChunk.newBuilder().setOffset(at).setData(ByteString.copyFrom(data, at, n)).build());
    }
    return new OpenUpload(up, end);
  }

  private static Status statusOf(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
    return ((StatusRuntimeException) e.getCause()).getStatus();
  }

  private static String lease(ManagedChannel ch) {
    return BoardGrpc.newBlockingStub(ch).lease(LeaseRequest.newBuilder().setDevice("chip0").build())
        .getLeaseId();
  }

  @Test
  void aDeclaredSizeOf2To63OrMoreIsRefusedNotReadAsNegative() throws Exception {
    try (BoardServer board = BoardServer.builder().device("emu:loihi?threads=1").start()) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      try {
        String lease = lease(ch);
        for (long declared : new long[] {Long.MIN_VALUE, -1L, (256L << 20) + 1}) {
          OpenUpload u = openUpload(ch, lease, declared, 1000);
          Status s = statusOf(u.end());
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode(), s.toString());
          assertTrue(s.getDescription().contains(Long.toUnsignedString(declared) + " bytes exceeds"),
              s.getDescription());
        }
        assertEquals(0, board.uploadBytesHeld());
      } finally {
        BoardFixture.close(ch);
      }
    }
  }

  @Test
  void aLargeDeclarationIsNotAllocatedBeforeItsDataArrives() throws Exception {
    try (BoardServer board = BoardServer.builder().device("emu:loihi?threads=1").start()) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      try {
        String lease = lease(ch);
        List<OpenUpload> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          six.add(openUpload(ch, lease, 256L << 20, 10_000));
        }
        BoardFixture.awaitTrue("uploads started", () -> board.uploadBytesHeld() > 0);
        Thread.sleep(200);
        // six legitimate 256 MiB declarations hold what arrived, not 1.5 GB
        assertTrue(board.uploadBytesHeld() <= 6 * 64 << 10, "held " + board.uploadBytesHeld());
        for (OpenUpload u : six) {
          u.stream().onError(Status.CANCELLED.asRuntimeException());
        }
        BoardFixture.awaitTrue("cancelled uploads give their memory back",
            () -> board.uploadBytesHeld() == 0);
      } finally {
        BoardFixture.close(ch);
      }
    }
  }

  @Test
  void uploadMemoryIsCappedPerConnectionAndPerBoard() throws Exception {
    try (BoardServer board = BoardServer.builder().device("emu:loihi?threads=1")
        .maxUploadBytes(1 << 20, 700 << 10).start()) {
      ManagedChannel a = BoardFixture.channel(board.port(), null);
      ManagedChannel b = BoardFixture.channel(board.port(), null);
      try {
        String lease = lease(a);
        OpenUpload first = openUpload(a, lease, 600 << 10, 600 << 10);
        BoardFixture.awaitTrue("first upload held", () -> board.uploadBytesHeld() == 600 << 10);
        // the same connection may not hold a second one beside it
        Status sameConnection = statusOf(openUpload(a, lease, 600 << 10, 600 << 10).end());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, sameConnection.getCode());
        assertTrue(sameConnection.getDescription().contains("per connection"),
            sameConnection.getDescription());
        // another connection fits its share but not past the board's total
        Status board2 = statusOf(openUpload(b, lease, 600 << 10, 600 << 10).end());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, board2.getCode());
        assertTrue(board2.getDescription().contains("the board is holding"), board2.getDescription());
        assertEquals(600 << 10, board.uploadBytesHeld());
        first.stream().onError(Status.CANCELLED.asRuntimeException());
        BoardFixture.awaitTrue("memory given back", () -> board.uploadBytesHeld() == 0);
      } finally {
        BoardFixture.close(a);
        BoardFixture.close(b);
      }
    }
  }

  @Test
  void aHugeDeviceNameIsNotEchoedWhole() throws Exception {
    try (BoardServer board = BoardServer.builder().device("emu:loihi?threads=1").start()) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      try {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
            BoardGrpc.newBlockingStub(ch).lease(LeaseRequest.newBuilder()
                .setDevice("x".repeat(1 << 20)).build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        String d = e.getStatus().getDescription();
        assertTrue(d.length() < 300, d.length() + " characters echoed");
        assertTrue(d.contains("(1048576 characters)"), d);
      } finally {
        BoardFixture.close(ch);
      }
    }
  }

  @Test
  void garbageConnectionsGetOneRateLimitedLineEachAndNoTraces() throws Exception {
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);
    PrintStream stderr = System.err;
    ByteArrayOutputStream elsewhere = new ByteArrayOutputStream();
    System.setErr(new PrintStream(elsewhere, true, StandardCharsets.UTF_8));
    try (BoardServer board = BoardServer.builder().device("emu:loihi?threads=1").log(log, false)
        .start()) {
      for (int i = 0; i < 40; i++) {
        try (Socket s = new Socket("127.0.0.1", board.port())) {
          OutputStream out = s.getOutputStream();
          out.write(("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + "garbage".repeat(100))
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          s.getInputStream().read(new byte[256]);
        }
      }
      Thread.sleep(500);
      // the board still answers real clients
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      try {
        assertFalse(lease(ch).isEmpty());
      } finally {
        BoardFixture.close(ch);
      }
    } finally {
      System.setErr(stderr);
    }
    String other = elsewhere.toString(StandardCharsets.UTF_8);
    assertFalse(other.contains("Transport failed") || other.contains("\tat "),
        "gRPC's own transport log got through: " + other);
    String text = logged.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("quench board: dropped a connection: "), text);
    assertFalse(text.contains("\tat "), "no stack traces: " + text);
    for (String line : text.split("\\R")) {
      if (!line.isEmpty()) {
        assertTrue(line.startsWith("quench board: "), line);
      }
    }
    long lines = text.lines().count();
    assertTrue(lines <= 20, lines + " lines for 40 garbage connections in about a second:\n" + text);
  }
  @Test
  void bytesThatAreNoRequestAreRefusedAsInvalidAndTheUploadIsFreed() throws Exception {
    try (BoardServer board = BoardServer.builder().device("emu:loihi?threads=1").start()) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      try {
        // a unary call: 0xff is a field tag with no valid wire type
        io.grpc.MethodDescriptor<byte[], byte[]> rawLease =
            BoardGrpc.getLeaseMethod().toBuilder(RawBytes.MARSHALLER, RawBytes.MARSHALLER).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
            io.grpc.stub.ClientCalls.blockingUnaryCall(ch, rawLease, io.grpc.CallOptions.DEFAULT,
                new byte[] {(byte) 0xff, (byte) 0xff, 1}));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().startsWith("Lease request 1 is not a valid request"
            + " message: "), e.getStatus().getDescription());
        // an upload under way, then garbage: refused, and the bytes held for it are given back
        String lease = lease(ch);
        io.grpc.MethodDescriptor<byte[], byte[]> rawLoad =
            BoardGrpc.getLoadImageMethod().toBuilder(RawBytes.MARSHALLER, RawBytes.MARSHALLER).build();
        CompletableFuture<Status> end = new CompletableFuture<>();
        io.grpc.ClientCall<byte[], byte[]> call = ch.newCall(rawLoad, io.grpc.CallOptions.DEFAULT);
        call.start(new io.grpc.ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, io.grpc.Metadata trailers) {
            end.complete(status);
          }
        }, new io.grpc.Metadata());
        call.request(1);
        call.sendMessage(ImageChunk.newBuilder().setHeader(ImageHeaderChunk.newBuilder()
            .setDevice("chip0").setLeaseId(lease).setTotalSize(100_000).setSha256(SHA)).build()
            .toByteArray());
        call.sendMessage(ImageChunk.newBuilder().setOffset(0).setData(ByteString.copyFrom(new byte[50_000]))
            .build().toByteArray());
        BoardFixture.awaitTrue("upload started", () -> board.uploadBytesHeld() > 0);
        call.sendMessage(new byte[] {(byte) 0xff, 0, 0});
        call.halfClose();
        Status s = end.get(20, TimeUnit.SECONDS);
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
        assertTrue(s.getDescription().startsWith("LoadImage request 3 is not a valid request message"),
            s.getDescription());
        BoardFixture.awaitTrue("the refused upload gives its memory back", () -> board.uploadBytesHeld() == 0);
        // and the board still serves the lease holder
        assertFalse(BoardGrpc.newBlockingStub(ch).listDevices(
            org.quench.board.proto.ListDevicesRequest.getDefaultInstance()).getDevicesList().isEmpty());
      } finally {
        BoardFixture.close(ch);
      }
    }
  }
}
