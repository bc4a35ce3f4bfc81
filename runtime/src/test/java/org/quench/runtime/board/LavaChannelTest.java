package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quench.runtime.bench.RandomNetwork;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.grpcchannel.DataReply;
import org.quench.board.proto.grpcchannel.GrpcChannelServerGrpc;
import org.quench.board.proto.grpcchannel.GrpcMetaData;
import org.quench.board.LavaChannelPort;

/**
 * A Lava process's view of a chip: everything on the Lava side below (the sending client, the
 * receiving ports for outputs and replies, the frame encoding) uses only the classes generated
 * from grpcchannel.proto, as a Lava process would.
 */
class LavaChannelTest {
  private static final ChipImage IMAGE = RandomNetwork.image(21, 4, 250);
  private static final Probe V = new Probe(ProbeKind.V, "lif", 0, 30);

  private Device device;
  private Server spikesIn;
  private Server repliesIn;
  private final BlockingQueue<GrpcMetaData> spikes = new LinkedBlockingQueue<>();
  private final BlockingQueue<GrpcMetaData> replies = new LinkedBlockingQueue<>();
  private LavaChannelPort port;
  private ManagedChannel data;
  private ManagedChannel control;

  /** A Lava receiving port: acknowledges and keeps every array. */
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

  private static ManagedChannel to(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  /** NumPy float64 array of one dimension, as Lava's channel would send it. */
  private static GrpcMetaData float64(double... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    return GrpcMetaData.newBuilder().setNd(1).setType(12).setElsize(8)
        .setTotalSize(values.length).addDims(values.length).addStrides(1)
        .setValue(ByteString.copyFrom(b.array())).build();
  }

  private static double[] decode(GrpcMetaData m) {
    assertEquals(12, m.getType(), "Quench sends float64");
    ByteBuffer b = m.getValue().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[(int) m.getTotalSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = b.getDouble(i * 8);
    }
    return v;
  }

  private boolean send(ManagedChannel ch, GrpcMetaData m) {
    return GrpcChannelServerGrpc.newBlockingStub(ch).withDeadlineAfter(20, TimeUnit.SECONDS)
        .recvArrayData(m).getAck();
  }

  private double nextReply() throws InterruptedException {
    GrpcMetaData m = replies.poll(20, TimeUnit.SECONDS);
    assertNotNull(m, "a reply arrives");
    assertEquals(1, m.getTotalSize());
    return decode(m)[0];
  }

  @BeforeEach
  void start() throws Exception {
    device = Devices.open("emu:loihi?threads=1");
    device.load(IMAGE);
    spikesIn = receiver(spikes);
    repliesIn = receiver(replies);
    port = LavaChannelPort.builder(device).input("in", RandomNetwork.INPUTS, 0).control(0)
        .replies("127.0.0.1:" + repliesIn.getPort())
        .output("out", "127.0.0.1:" + spikesIn.getPort()).variable(V).start();
    data = to(port.port("in"));
    control = to(port.port(LavaChannelPort.CONTROL));
  }

  @AfterEach
  void stop() throws Exception {
    port.close();
    data.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    control.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    spikesIn.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    repliesIn.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    device.close();
  }

  @Test
  void lavaDrivenRunGivesTheSameSpikesAsInProcess() throws Exception {
    int steps = 25;
    Stimulus stimulus = RandomNetwork.stimulus(4, steps, 150);
    RunResult expected;
    int[] expectedV;
    try (Device local = Devices.open("emu:loihi?threads=1")) {
      local.load(IMAGE);
      expected = local.run(stimulus);
      expectedV = local.read(V);
    }
    int[][] input = new int[steps][RandomNetwork.INPUTS];
    Stimulus.PortEvents ev = stimulus.events().get("in");
    for (int i = 0; i < ev.steps().length; i++) {
      input[ev.steps()[i]][ev.indices()[i]] = ev.payloads()[i];
    }
    assertTrue(send(control, float64(steps)), "RUN acknowledged");
    for (int t = 0; t < steps; t++) {
      double[] row = new double[RandomNetwork.INPUTS];
      for (int i = 0; i < row.length; i++) {
        row[i] = input[t][i];
      }
      assertTrue(send(data, float64(row)));
    }
    int[][] want = expected.output("out").dense(steps);
    for (int t = 0; t < steps; t++) {
      GrpcMetaData m = spikes.poll(20, TimeUnit.SECONDS);
      assertNotNull(m, "output of step " + t);
      assertEquals(1, m.getNd());
      double[] got = decode(m);
      double[] wantRow = new double[want[t].length];
      for (int i = 0; i < wantRow.length; i++) {
        wantRow[i] = want[t][i];
      }
      assertArrayEquals(wantRow, got, "step " + t);
    }
    assertEquals(LavaChannelPort.DONE, nextReply());
    assertTrue(expected.output("out").count() > 0, "the comparison saw spikes");

    send(control, float64(LavaChannelPort.GET_DATA));
    send(control, float64(0));
    double[] v = decode(replies.poll(20, TimeUnit.SECONDS));
    for (int i = 0; i < expectedV.length; i++) {
      assertEquals(expectedV[i], v[i], "v[" + i + "]");
    }

    send(control, float64(LavaChannelPort.PAUSE));
    assertEquals(LavaChannelPort.PAUSED, nextReply());
    send(control, float64(LavaChannelPort.SET_DATA));
    send(control, float64(0));
    send(control, float64(1, 2, 3));
    assertEquals(LavaChannelPort.ERROR, nextReply(), "chip state cannot be written");
    send(control, float64(-7));
    assertEquals(LavaChannelPort.ERROR, nextReply(), "unknown token");
    send(control, float64(LavaChannelPort.STOP));
    assertEquals(LavaChannelPort.TERMINATED, nextReply());
    assertFalse(send(data, float64(new double[RandomNetwork.INPUTS])), "stopping: ack false");
  }

  @Test
  void pauseEndsARunThatWaitsForInput() throws Exception {
    send(control, float64(1000));
    send(data, float64(new double[RandomNetwork.INPUTS]));
    assertNotNull(spikes.poll(20, TimeUnit.SECONDS), "the first step ran");
    send(control, float64(LavaChannelPort.PAUSE));
    assertEquals(LavaChannelPort.PAUSED, nextReply());
    assertEquals(1, device.time());
  }

  @Test
  void malformedFramesAreRefusedWithInvalidArgument() {
    GrpcMetaData good = float64(new double[RandomNetwork.INPUTS]);
    java.util.List<UnaryOperator<GrpcMetaData.Builder>> breakages = java.util.List.of(
        b -> b.setNd(6).clearDims().clearStrides().addAllDims(java.util.List.of(1L, 1L, 1L, 1L, 1L, 100L))
            .addAllStrides(java.util.List.of(100L, 100L, 100L, 100L, 100L, 1L)),
        b -> b.setNd(2),
        b -> b.setTotalSize(99),
        b -> b.setElsize(4),
        b -> b.setType(13),
        b -> b.setType(-1),
        b -> b.setValue(b.getValue().substring(0, 792)),
        b -> b.setValue(b.getValue().concat(ByteString.copyFrom(new byte[8]))),
        b -> b.setStrides(0, 2),
        b -> b.setDims(0, -100),
        b -> b.setNd(2).clearDims().clearStrides().addDims(10).addDims(10).addStrides(1).addStrides(10),
        b -> b.setDims(0, 50).setTotalSize(50).setValue(b.getValue().substring(0, 400)),
        b -> b.setValue(float64(new double[] {0.5}).getValue().concat(b.getValue().substring(8))));
    for (int i = 0; i < breakages.size(); i++) {
      GrpcMetaData bad = breakages.get(i).apply(good.toBuilder()).build();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> send(data, bad),
          "breakage #" + i);
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), "breakage " + e);
    }
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> send(control, float64(1, 2).toBuilder().setTotalSize(3).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    // A well-formed frame still goes through: the channel survived.
    assertTrue(send(data, good));
    assertEquals(0, device.time(), "no broken frame reached the device");
  }
}
