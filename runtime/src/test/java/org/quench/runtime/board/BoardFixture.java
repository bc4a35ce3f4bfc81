package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.RunResult;
import org.quench.board.proto.BoardGrpc;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.ImageChunk;
import org.quench.board.proto.ImageHeaderChunk;
import org.quench.board.proto.LoadImageReply;

/** Shared pieces of the board tests: raw channels, uploads, result comparison, waiting. */
final class BoardFixture {
  private BoardFixture() {}

  static ManagedChannel channel(int port, String token) {
    NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .maxInboundMessageSize(64 << 20);
    if (token != null) {
      Metadata h = new Metadata();
      h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      b.intercept(MetadataUtils.newAttachHeadersInterceptor(h));
    }
    return b.build();
  }

  static void close(ManagedChannel c) throws InterruptedException {
    c.shutdownNow();
    c.awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Uploads {@code bytes} in {@code chunk}-byte pieces declaring {@code sha}; the call's end. */
  static CompletableFuture<LoadImageReply> upload(ManagedChannel ch, String device, String lease,
      byte[] bytes, long declaredSize, String sha, int chunk) {
    CompletableFuture<LoadImageReply> done = new CompletableFuture<>();
    StreamObserver<ImageChunk> up = BoardGrpc.newStub(ch).loadImage(new StreamObserver<>() {
      @Override
      public void onNext(LoadImageReply value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    up.onNext(ImageChunk.newBuilder().setHeader(ImageHeaderChunk.newBuilder().setDevice(device)
        .setLeaseId(lease).setTotalSize(declaredSize).setSha256(sha)).build());
    for (int at = 0; at < bytes.length; at += chunk) {
      int n = Math.min(chunk, bytes.length - at);
      up.onNext(ImageChunk.newBuilder().setOffset(at).setData(ByteString.copyFrom(bytes, at, n))
          .build());
    }
    up.onCompleted();
    return done;
  }

  static CompletableFuture<LoadImageReply> upload(ManagedChannel ch, String device, String lease,
      ChipImage image) {
    byte[] bytes = ChipImages.toBytes(image);
    return upload(ch, device, lease, bytes, bytes.length, ChipImages.sha256(bytes), 4096);
  }

  static void assertSameResult(RunResult expected, RunResult actual) {
    assertEquals(expected.steps(), actual.steps(), "steps");
    assertEquals(expected.firstStep(), actual.firstStep(), "first step");
    assertEquals(expected.outputs().keySet(), actual.outputs().keySet(), "output ports");
    for (Map.Entry<String, RunResult.SpikeEvents> e : expected.outputs().entrySet()) {
      RunResult.SpikeEvents a = actual.outputs().get(e.getKey());
      assertEquals(e.getValue().width(), a.width(), "width of " + e.getKey());
      assertArrayEquals(e.getValue().steps(), a.steps(), "spike steps of " + e.getKey());
      assertArrayEquals(e.getValue().indices(), a.indices(), "spike indices of " + e.getKey());
      assertArrayEquals(e.getValue().values(), a.values(), "spike values of " + e.getKey());
    }
    assertEquals(expected.traces().keySet(), actual.traces().keySet(), "probes");
    for (Map.Entry<Probe, RunResult.Trace> e : expected.traces().entrySet()) {
      RunResult.Trace a = actual.traces().get(e.getKey());
      assertEquals(e.getValue().width(), a.width(), "width of " + e.getKey());
      assertArrayEquals(e.getValue().values(), a.values(), "trace of " + e.getKey());
    }
  }

  /** Waits (bounded) until {@code condition} holds; fails naming it otherwise. */
  static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("gave up waiting until " + what);
      }
      Thread.sleep(5);
    }
  }
}
