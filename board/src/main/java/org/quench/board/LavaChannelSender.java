package org.quench.board;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.quench.hal.QuenchException;
import org.quench.board.proto.grpcchannel.GrpcChannelServerGrpc;
import org.quench.board.proto.grpcchannel.GrpcMetaData;

/**
 * Pushes arrays to a Lava receiving port: a {@code grpcchannel.GrpcChannelServer} some Lava
 * process serves at {@code host:port}. Each send is one blocking {@code RecvArrayData} call with
 * a deadline; the receiver's {@code ack = false} (it is stopping) is an error. Plaintext, as
 * Lava's channel is.
 */
public final class LavaChannelSender implements AutoCloseable {
  private final String target;
  private final ManagedChannel channel;
  private final GrpcChannelServerGrpc.GrpcChannelServerBlockingStub stub;
  private final long deadlineMillis;

  private LavaChannelSender(String target, long deadlineMillis) {
    this.target = target;
    int colon = target.lastIndexOf(':');
    if (colon <= 0) {
      throw new QuenchException("Lava port address '" + target + "' is not host:port");
    }
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new QuenchException("Lava port address '" + target + "' has no numeric port");
    }
    this.channel = NettyChannelBuilder.forAddress(target.substring(0, colon), port)
        .usePlaintext().directExecutor().maxInboundMessageSize(64 << 20).build();
    this.stub = GrpcChannelServerGrpc.newBlockingStub(channel);
    this.deadlineMillis = deadlineMillis;
  }

  /** A sender to the Lava receiving port at {@code host:port}; nothing is sent yet. */
  public static LavaChannelSender connect(String hostPort, long deadlineMillis) {
    return new LavaChannelSender(hostPort, deadlineMillis);
  }

  /** Sends integer values (spikes, payloads) as a float64 array of the given shape. */
  public void send(int[] values, long... dims) {
    double[] d = new double[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    send(LavaArrays.doubles(d, dims.length == 0 ? new long[] {values.length} : dims));
  }

  /** Sends a management token or reply (a 1-element float64 array). */
  public void sendToken(double value) {
    send(LavaArrays.token(value));
  }

  void send(GrpcMetaData frame) {
    boolean ack;
    try {
      ack = stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).recvArrayData(frame)
          .getAck();
    } catch (StatusRuntimeException e) {
      throw new QuenchException("cannot send to Lava port " + target + ": "
          + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
          : " (" + e.getStatus().getDescription() + ")") + "; is the Lava process listening?");
    }
    if (!ack) {
      throw new QuenchException("Lava port " + target + " refused the array: it is stopping");
    }
  }

  @Override
  public void close() {
    BoardAddress.shutdown(channel);
  }
}
