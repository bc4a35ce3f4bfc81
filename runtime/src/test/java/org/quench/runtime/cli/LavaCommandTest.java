package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.runtime.bench.RandomNetwork;
import org.quench.hal.ChipImages;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.grpcchannel.DataReply;
import org.quench.board.proto.grpcchannel.GrpcChannelServerGrpc;
import org.quench.board.proto.grpcchannel.GrpcMetaData;
import org.quench.board.BoardServer;
import org.quench.runtime.cli.QuenchCli;

/**
 * The end-to-end case: a board started like {@code quench serve}, a chip on it driven by
 * {@code quench lava --device grpc://...}, and a Lava process (only the stubs generated from
 * grpcchannel.proto) streaming input frames and tokens; its output spikes equal an in-process run.
 */
class LavaCommandTest {
  private static final ChipImage IMAGE = RandomNetwork.image(33, 3, 200);

  @TempDir
  Path dir;

  private static Server receiver(BlockingQueue<GrpcMetaData> into) throws Exception {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new GrpcChannelServerGrpc.GrpcChannelServerImplBase() {
          @Override
          public void recvArrayData(GrpcMetaData request, StreamObserver<DataReply> reply) {
            into.add(request);
            reply.onNext(DataReply.newBuilder().setAck(true).build());
            reply.onCompleted();
          }
        }).build().start();
  }

  private static GrpcMetaData float64(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return GrpcMetaData.newBuilder().setNd(1).setType(12).setElsize(8).setTotalSize(values.length)
        .addDims(values.length).addStrides(1).setValue(ByteString.copyFrom(b.array())).build();
  }

  private static double[] decode(GrpcMetaData m) {
    ByteBuffer b = m.getValue().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[(int) m.getTotalSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = b.getDouble(i * 8);
    }
    return v;
  }

  private static void send(ManagedChannel ch, GrpcMetaData m) {
    assertTrue(GrpcChannelServerGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
        .recvArrayData(m).getAck());
  }

  private static int waitForPort(ByteArrayOutputStream out, String channel) throws InterruptedException {
    Pattern p = Pattern.compile(channel + " on 127\\.0\\.0\\.1:(\\d+)");
    for (int i = 0; i < 400; i++) {
      Matcher m = p.matcher(out.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      Thread.sleep(50);
    }
    throw new AssertionError("quench lava never announced its " + channel + ": " + out);
  }

  @Test
  void lavaDrivesAChipOnABoardWithTheSameSpikesAsInProcess() throws Exception {
    int steps = 30;
    Stimulus stimulus = RandomNetwork.stimulus(5, steps, 150);
    RunResult expected;
    try (Device local = Devices.open("emu:loihi?threads=1")) {
      local.load(IMAGE);
      expected = local.run(stimulus);
    }
    Path image = dir.resolve("net.qimg");
    ChipImages.write(IMAGE, image);
    BlockingQueue<GrpcMetaData> spikes = new LinkedBlockingQueue<>();
    BlockingQueue<GrpcMetaData> replies = new LinkedBlockingQueue<>();
    Server spikesIn = receiver(spikes);
    Server repliesIn = receiver(replies);
    BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500)
        .device("emu:loihi?threads=1").start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread lava = new Thread(() -> exit.set(QuenchCli.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8), "lava", image.toString(),
        "--device", "grpc://127.0.0.1:" + board.port() + "/chip0", "--input", "in=0", "--control", "0",
        "--replies", "127.0.0.1:" + repliesIn.getPort(), "--output", "out=127.0.0.1:" + spikesIn.getPort())));
    lava.start();
    ManagedChannel data = null;
    ManagedChannel control = null;
    try {
      data = NettyChannelBuilder.forAddress("127.0.0.1", waitForPort(out, "input channel 'in'"))
          .usePlaintext().build();
      control = NettyChannelBuilder.forAddress("127.0.0.1", waitForPort(out, "control channel"))
          .usePlaintext().build();
      double[][] input = new double[steps][RandomNetwork.INPUTS];
      Stimulus.PortEvents ev = stimulus.events().get("in");
      for (int i = 0; i < ev.steps().length; i++) {
        input[ev.steps()[i]][ev.indices()[i]] = ev.payloads()[i];
      }
      send(control, float64(steps));
      for (int t = 0; t < steps; t++) {
        send(data, float64(input[t]));
      }
      int[][] want = expected.output("out").dense(steps);
      for (int t = 0; t < steps; t++) {
        GrpcMetaData m = spikes.poll(20, TimeUnit.SECONDS);
        assertNotNull(m, "output of step " + t);
        double[] got = decode(m);
        for (int i = 0; i < want[t].length; i++) {
          assertEquals(want[t][i], got[i], "step " + t + " output " + i);
        }
      }
      assertTrue(expected.output("out").count() > 0, "the comparison saw spikes");
      assertEquals(0.0, decode(replies.poll(20, TimeUnit.SECONDS))[0], "DONE");
      // STOP's own ack may already say "stopping" (false): only the TERMINATED reply counts.
      GrpcChannelServerGrpc.newBlockingStub(control).withDeadlineAfter(20, TimeUnit.SECONDS)
          .recvArrayData(float64(-1));
      assertEquals(-1.0, decode(replies.poll(20, TimeUnit.SECONDS))[0], "TERMINATED");
      lava.join(20_000);
      assertEquals(0, exit.get(), out.toString(StandardCharsets.UTF_8));
    } finally {
      lava.interrupt();
      lava.join(10_000);
      if (data != null) {
        data.shutdownNow();
      }
      if (control != null) {
        control.shutdownNow();
      }
      spikesIn.shutdownNow();
      repliesIn.shutdownNow();
      board.close();
    }
  }

  @Test
  void unknownInputPortIsOneLineError() throws Exception {
    Path image = dir.resolve("net.qimg");
    ChipImages.write(IMAGE, image);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = QuenchCli.execute(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err),
        "lava", image.toString(), "--input", "nope=0", "--replies", "127.0.0.1:1");
    assertEquals(1, code);
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("quench: ") && text.contains("nope") && text.lines().count() == 1, text);
  }
}
