package org.quench.board;

import org.quench.hal.MessageText;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.QuenchException;
import org.quench.hal.QuenchVersion;
import org.quench.board.proto.BoardGrpc;
import org.quench.board.proto.DeviceDescription;
import org.quench.board.proto.GetProfileRequest;
import org.quench.board.proto.ImageChunk;
import org.quench.board.proto.LeaseReply;
import org.quench.board.proto.LeaseRequest;
import org.quench.board.proto.ListDevicesReply;
import org.quench.board.proto.ListDevicesRequest;
import org.quench.board.proto.LoadImageReply;
import org.quench.board.proto.ProfileReply;
import org.quench.board.proto.ReadStateReply;
import org.quench.board.proto.ReadStateRequest;
import org.quench.board.proto.ReleaseReply;
import org.quench.board.proto.ReleaseRequest;
import org.quench.board.proto.RenewRequest;
import org.quench.board.proto.ResetReply;
import org.quench.board.proto.ResetRequest;
import org.quench.board.proto.RunInput;
import org.quench.board.proto.RunOutput;

/** The Board service over a fixed set of hosted devices. */
final class BoardService extends BoardGrpc.BoardImplBase {
  /** The id of the connection a call arrived on (set by {@link ConnectionIds}). */
  static final Context.Key<Long> CONNECTION = Context.key("quench-connection");

  final Map<String, HostedDevice> devices;
  final BoardServer.Limits limits;
  final RunCounters counters = new RunCounters();
  volatile boolean shuttingDown;

  final UploadBudget uploads;

  BoardService(Map<String, HostedDevice> devices, BoardServer.Limits limits) {
    this.devices = devices;
    this.limits = limits;
    this.uploads = new UploadBudget(limits.maxUploadBytes(), limits.maxConnectionUploadBytes());
  }

  HostedDevice device(String name) {
    HostedDevice d = devices.get(name);
    if (d == null) {
      throw Status.NOT_FOUND.withDescription("no device '" + MessageText.shown(name)
          + "' on this board; it has "
          + devices.keySet()).asRuntimeException();
    }
    return d;
  }

  void requireOpen() {
    if (shuttingDown) {
      throw Status.UNAVAILABLE.withDescription("the board is shutting down").asRuntimeException();
    }
  }

  @Override
  public void listDevices(ListDevicesRequest request, StreamObserver<ListDevicesReply> reply) {
    ListDevicesReply.Builder b = ListDevicesReply.newBuilder().setBoardVersion(QuenchVersion.project())
        .setMaxImageBytes(limits.maxImageBytes()).setMaxMessageBytes(limits.maxMessageBytes());
    for (HostedDevice d : devices.values()) {
      DeviceInfo info = d.info();
      b.addDevices(BoardCodec.description(info).toBuilder().setName(d.name).setUri(d.uri)
          .setLeased(d.leased()));
    }
    reply.onNext(b.build());
    reply.onCompleted();
  }

  @Override
  public void lease(LeaseRequest request, StreamObserver<LeaseReply> reply) {
    answer(reply, () -> {
      requireOpen();
      HostedDevice d = device(request.getDevice());
      long ttl = request.getTtlMs() == 0 ? limits.defaultLeaseMillis()
          : Math.max(limits.minLeaseMillis(), Math.min(limits.maxLeaseMillis(), request.getTtlMs()));
      Long connection = CONNECTION.get();
      String id = d.lease(connection == null ? -1 : connection, ttl);
      return LeaseReply.newBuilder().setLeaseId(id).setDevice(d.name).setTtlMs(ttl).build();
    });
  }

  @Override
  public void renew(RenewRequest request, StreamObserver<LeaseReply> reply) {
    answer(reply, () -> {
      HostedDevice d = device(request.getDevice());
      d.checkLease(request.getLeaseId());
      return LeaseReply.newBuilder().setLeaseId(request.getLeaseId()).setDevice(d.name)
          .setTtlMs(d.ttlMillis()).build();
    });
  }

  @Override
  public void release(ReleaseRequest request, StreamObserver<ReleaseReply> reply) {
    answer(reply, () -> {
      device(request.getDevice()).release(request.getLeaseId());
      return ReleaseReply.getDefaultInstance();
    });
  }

  @Override
  public StreamObserver<ImageChunk> loadImage(StreamObserver<LoadImageReply> reply) {
    Long connection = CONNECTION.get();
    return new ImageUpload(this, reply, connection == null ? -1L : connection);
  }

  @Override
  public StreamObserver<RunInput> run(StreamObserver<RunOutput> reply) {
    return new RunSession(this, reply);
  }

  @Override
  public void readState(ReadStateRequest request, StreamObserver<ReadStateReply> reply) {
    answer(reply, () -> {
      HostedDevice d = device(request.getDevice());
      synchronized (d) {
        d.checkLease(request.getLeaseId());
        d.requireImage();
        int[] values = d.device.read(BoardCodec.probe(request.getProbe()));
        ReadStateReply.Builder b = ReadStateReply.newBuilder().setTime(d.device.time());
        for (int v : values) {
          b.addValues(v);
        }
        return b.build();
      }
    });
  }

  @Override
  public void reset(ResetRequest request, StreamObserver<ResetReply> reply) {
    answer(reply, () -> {
      HostedDevice d = device(request.getDevice());
      synchronized (d) {
        d.checkLease(request.getLeaseId());
        d.requireImage();
        d.device.reset();
        return ResetReply.newBuilder().setTime(d.device.time()).build();
      }
    });
  }

  @Override
  public void getProfile(GetProfileRequest request, StreamObserver<ProfileReply> reply) {
    answer(reply, () -> {
      HostedDevice d = device(request.getDevice());
      DeviceProfile p;
      synchronized (d) {
        p = d.device.profile();
      }
      return ProfileReply.newBuilder().setSerial(p.serial()).setModel(p.model())
          .setDescription(p.description())
          .setProfile(com.google.protobuf.ByteString.copyFrom(p.toBytes())).build();
    });
  }

  /** Ends every lease taken over a connection that has closed. */
  void connectionClosed(long connection) {
    for (HostedDevice d : devices.values()) {
      d.connectionClosed(connection);
    }
  }

  interface Answer<T> {
    T get();
  }

  /** Runs a unary call: the value, or the failure as a status with a description. */
  static <T> void answer(StreamObserver<T> reply, Answer<T> body) {
    T value;
    try {
      value = body.get();
    } catch (RuntimeException e) {
      reply.onError(status(e));
      return;
    }
    reply.onNext(value);
    reply.onCompleted();
  }

  /** A failure as the status a client sees; a device's own refusal is INVALID_ARGUMENT. */
  static StatusRuntimeException status(RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      String d = s.getStatus().getDescription();
      return d == null || d.length() <= BoardCodec.MAX_DESCRIPTION ? s
          : s.getStatus().withDescription(MessageText.capped(d, BoardCodec.MAX_DESCRIPTION)).asRuntimeException();
    }
    if (e instanceof QuenchException) {
      return Status.INVALID_ARGUMENT.withDescription(MessageText.capped(e.getMessage(), BoardCodec.MAX_DESCRIPTION))
          .asRuntimeException();
    }
    // A bug in a device or in the board: say so without handing out a stack trace.
    return Status.INTERNAL.withDescription("the board failed: " + e).asRuntimeException();
  }

  /** Counters the tests (and a curious operator) read to see that runs are bounded. */
  static final class RunCounters {
    final java.util.concurrent.atomic.AtomicLong batchesRun = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicInteger activeRuns = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger stalledRuns = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger batchesInFlight = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger maxBatchesInFlight = new java.util.concurrent.atomic.AtomicInteger();
  }
}
