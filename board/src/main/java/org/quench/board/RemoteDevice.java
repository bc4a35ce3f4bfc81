package org.quench.board;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.quench.hal.ChipImages;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.board.proto.BoardGrpc;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.DeviceDescription;
import org.quench.board.proto.GetProfileRequest;
import org.quench.board.proto.ImageChunk;
import org.quench.board.proto.ImageHeaderChunk;
import org.quench.board.proto.LeaseReply;
import org.quench.board.proto.LeaseRequest;
import org.quench.board.proto.ListDevicesReply;
import org.quench.board.proto.ListDevicesRequest;
import org.quench.board.proto.LoadImageReply;
import org.quench.board.proto.ProfileReply;
import org.quench.board.proto.ReadStateReply;
import org.quench.board.proto.ReadStateRequest;
import org.quench.board.proto.ReleaseRequest;
import org.quench.board.proto.RenewRequest;
import org.quench.board.proto.ResetRequest;
import org.quench.board.proto.RunInput;
import org.quench.board.proto.RunOutput;
import org.quench.board.proto.RunStart;

/**
 * A device on a board, reached over gRPC: {@code grpc://host:port/chipN}. Opening it leases the
 * device (exclusive until {@link #close()}; the lease is renewed in the background at a third of
 * its time to live). A run is streamed in batches of {@code batch} steps (URI parameter, default
 * 1000) with up to {@value #WINDOW} batches in flight, and gives the same result, bit for bit,
 * as the same device in process. Every call has a deadline ({@code deadline} ms; a run's is that
 * per batch).
 *
 * <p>Not thread-safe, like every {@link Device}. Errors are {@link QuenchException}s.
 */
public final class RemoteDevice implements Device {
  /** Batches sent ahead of the answers received: bounds what waits in buffers on both sides. */
  static final int WINDOW = 4;
  /** Image upload chunk size, well under any sane message limit. */
  static final int CHUNK_BYTES = 1 << 20;

  private static ScheduledExecutorService renewals;

  private final BoardAddress address;
  private final ManagedChannel channel;
  private final BoardGrpc.BoardBlockingStub blocking;
  private final BoardGrpc.BoardStub async;
  private final DeviceInfo info;
  private final String leaseId;
  private final ScheduledFuture<?> renewal;
  private final List<Probe> probes = new ArrayList<>();
  private long time;
  private boolean closed;

  private RemoteDevice(BoardAddress address, ManagedChannel channel, DeviceInfo info,
      String leaseId, long ttlMillis) {
    this.address = address;
    this.channel = channel;
    this.blocking = BoardGrpc.newBlockingStub(channel);
    this.async = BoardGrpc.newStub(channel);
    this.info = info;
    this.leaseId = leaseId;
    long period = Math.max(1, ttlMillis / 3);
    this.renewal = renewals().scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
  }

  /** Connects to the board the URI names and leases its device. */
  static RemoteDevice open(BoardAddress address) {
    ManagedChannel channel = address.channel();
    try {
      BoardGrpc.BoardBlockingStub stub = BoardGrpc.newBlockingStub(channel);
      ListDevicesReply list = deadline(stub, address).listDevices(ListDevicesRequest.getDefaultInstance());
      DeviceDescription found = null;
      List<String> names = new ArrayList<>();
      for (DeviceDescription d : list.getDevicesList()) {
        names.add(d.getName());
        if (d.getName().equals(address.device)) {
          found = d;
        }
      }
      if (found == null) {
        throw new QuenchException("board " + address.host + ":" + address.port + " has no device '"
            + address.device + "'; it has " + names);
      }
      LeaseReply lease = deadline(stub, address).lease(LeaseRequest.newBuilder()
          .setDevice(address.device).setTtlMs(address.ttlMillis).build());
      return new RemoteDevice(address, channel, BoardListing.info(address.uri, found),
          lease.getLeaseId(), lease.getTtlMs());
    } catch (StatusRuntimeException e) {
      BoardAddress.shutdown(channel);
      if (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
        throw new QuenchException("device " + address.uri + " is leased by another client; "
            + "use another chip or wait until it is released");
      }
      throw address.error("lease " + address.device, e);
    } catch (RuntimeException e) {
      BoardAddress.shutdown(channel);
      throw e;
    }
  }

  private static synchronized ScheduledExecutorService renewals() {
    if (renewals == null) {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "quench-lease-renewal");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      renewals = s;
    }
    return renewals;
  }

  private static BoardGrpc.BoardBlockingStub deadline(BoardGrpc.BoardBlockingStub stub,
      BoardAddress a) {
    return stub.withDeadlineAfter(a.deadlineMillis, TimeUnit.MILLISECONDS);
  }

  private BoardGrpc.BoardBlockingStub call() {
    if (closed) {
      throw new QuenchException("device " + address.uri + " is closed");
    }
    return deadline(blocking, address);
  }

  private void renew() {
    try {
      deadline(blocking, address).renew(RenewRequest.newBuilder().setDevice(address.device)
          .setLeaseId(leaseId).build());
    } catch (StatusRuntimeException e) {
      // The next real call reports the lost lease with its own, actionable, error.
    }
  }

  @Override
  public DeviceInfo info() {
    return info;
  }

  @Override
  public void load(ChipImage image) {
    byte[] bytes = ChipImages.toBytes(image);
    if (closed) {
      throw new QuenchException("device " + address.uri + " is closed");
    }
    CompletableFuture<LoadImageReply> done = new CompletableFuture<>();
    StreamObserver<ImageChunk> up = async.withDeadlineAfter(address.deadlineMillis,
        TimeUnit.MILLISECONDS).loadImage(new StreamObserver<>() {
          @Override
          public void onNext(LoadImageReply value) {
            done.complete(value);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    up.onNext(ImageChunk.newBuilder().setHeader(ImageHeaderChunk.newBuilder()
        .setDevice(address.device).setLeaseId(leaseId).setTotalSize(bytes.length)
        .setSha256(ChipImages.sha256(bytes))).build());
    for (int at = 0; at < bytes.length && !done.isDone(); at += CHUNK_BYTES) {
      int n = Math.min(CHUNK_BYTES, bytes.length - at);
      up.onNext(ImageChunk.newBuilder().setOffset(at).setData(ByteString.copyFrom(bytes, at, n))
          .build());
    }
    up.onCompleted();
    await(done, "load the image");
    probes.clear();
    time = 0;
  }

  private <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException s) {
        throw address.error(what, s);
      }
      throw new QuenchException("cannot " + what + " on " + address.uri + ": " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuenchException("interrupted while waiting to " + what + " on " + address.uri);
    }
  }

  @Override
  public void attach(Probe probe) {
    if (!probes.contains(probe)) {
      probes.add(probe);
    }
  }

  @Override
  public void detachAll() {
    probes.clear();
  }

  @Override
  public RunResult run(Stimulus stimulus) {
    if (closed) {
      throw new QuenchException("device " + address.uri + " is closed");
    }
    int steps = stimulus.steps();
    int per = address.batchSteps;
    int count = steps == 0 ? 1 : (int) ((steps + (long) per - 1) / per);
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    Object end = new Object();
    ClientResponseObserver<RunInput, RunOutput> observer = new ClientResponseObserver<>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<RunInput> requests) {}

      @Override
      public void onNext(RunOutput value) {
        answers.add(value);
      }

      @Override
      public void onError(Throwable t) {
        answers.add(t);
      }

      @Override
      public void onCompleted() {
        answers.add(end);
      }
    };
    StreamObserver<RunInput> requests = async.withDeadlineAfter(
        address.deadlineMillis * Math.max(1, count), TimeUnit.MILLISECONDS).run(observer);
    RunStart.Builder start = RunStart.newBuilder().setDevice(address.device).setLeaseId(leaseId);
    for (Probe p : probes) {
      start.addProbes(BoardCodec.probe(p));
    }
    requests.onNext(RunInput.newBuilder().setStart(start).build());
    BoardCodec.Assembly parts = new BoardCodec.Assembly(probes);
    int sent = 0;
    try {
      while (true) {
        while (sent < count && sent - parts.batches < WINDOW) {
          int from = sent * per;
          int n = steps == 0 ? 0 : Math.min(per, steps - from);
          requests.onNext(RunInput.newBuilder().setBatch(BoardCodec.batch(stimulus, from, n)).build());
          if (++sent == count) {
            requests.onCompleted();
          }
        }
        Object a = answers.take();
        if (a instanceof RunOutput o) {
          parts.add(o); // decoded while the board runs the batches still in flight
        } else if (a instanceof StatusRuntimeException e) {
          throw address.error("run " + address.device, e);
        } else if (a instanceof Throwable t) {
          throw new QuenchException("run on " + address.uri + " failed: " + t);
        } else {
          break;
        }
      }
    } catch (InterruptedException e) {
      requests.onError(Status.CANCELLED.withDescription("interrupted").asRuntimeException());
      Thread.currentThread().interrupt();
      throw new QuenchException("interrupted while running on " + address.uri);
    }
    if (parts.batches != count) {
      throw new QuenchException("board " + address.host + ":" + address.port + " answered "
          + parts.batches + " of " + count + " batches; the run is incomplete");
    }
    RunResult r = parts.result();
    time = r.firstStep() + r.steps();
    return r;
  }

  @Override
  public int[] read(Probe probe) {
    try {
      ReadStateReply r = call().readState(ReadStateRequest.newBuilder().setDevice(address.device)
          .setLeaseId(leaseId).setProbe(BoardCodec.probe(probe)).build());
      int[] v = new int[r.getValuesCount()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.getValues(i);
      }
      return v;
    } catch (StatusRuntimeException e) {
      throw address.error("read " + probe, e);
    }
  }

  @Override
  public void reset() {
    try {
      time = call().reset(ResetRequest.newBuilder().setDevice(address.device).setLeaseId(leaseId)
          .build()).getTime();
    } catch (StatusRuntimeException e) {
      throw address.error("reset " + address.device, e);
    }
  }

  @Override
  public long time() {
    return time;
  }

  @Override
  public DeviceProfile profile() {
    try {
      ProfileReply p = call().getProfile(GetProfileRequest.newBuilder().setDevice(address.device)
          .build());
      return new DeviceProfile(p.getSerial(), p.getModel(), p.getDescription());
    } catch (StatusRuntimeException e) {
      throw address.error("read the profile of " + address.device, e);
    }
  }

  /** Releases the lease (the board resets the device) and closes the connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    renewal.cancel(false);
    try {
      deadline(blocking, address).release(ReleaseRequest.newBuilder().setDevice(address.device)
          .setLeaseId(leaseId).build());
    } catch (StatusRuntimeException e) {
      // Closing the connection ends the lease on the board anyway.
    } finally {
      BoardAddress.shutdown(channel);
    }
  }
}
