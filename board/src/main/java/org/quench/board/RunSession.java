package org.quench.board;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.quench.hal.Probe;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.board.proto.RunInput;
import org.quench.board.proto.RunOutput;
import org.quench.board.proto.RunStart;
import org.quench.board.proto.StepBatch;

/**
 * One Run stream on the board. Flow control is manual: the board asks gRPC for the next input
 * message only after the previous batch's output was handed to a transport that is ready for
 * more. A client that stops reading therefore stops its run after at most one batch whose output
 * waits in gRPC's outbound buffer; nothing else is queued on its behalf.
 *
 * <p>gRPC delivers this object's callbacks one at a time, so its fields need no locking; the
 * device itself is locked per batch because other calls (Reset, an expiring lease) may touch it.
 */
final class RunSession implements StreamObserver<RunInput> {
  private final BoardService board;
  private final ServerCallStreamObserver<RunOutput> out;
  private HostedDevice device;
  private String leaseId;
  private List<Probe> probes = List.of();
  private long batches;
  private boolean waitingForReady;
  private boolean finished;

  RunSession(BoardService board, StreamObserver<RunOutput> reply) {
    this.board = board;
    this.out = (ServerCallStreamObserver<RunOutput>) reply;
    out.disableAutoRequest();
    out.setOnReadyHandler(this::onReady);
    out.setOnCancelHandler(this::abandon);
    board.counters.activeRuns.incrementAndGet();
    out.request(1);
  }

  @Override
  public void onNext(RunInput input) {
    if (finished) {
      return;
    }
    try {
      board.requireOpen();
      if (input.hasStart()) {
        start(input.getStart());
      } else if (input.hasBatch()) {
        batch(input.getBatch());
      } else {
        throw BoardCodec.invalid("a run input holds neither start nor batch");
      }
    } catch (RuntimeException e) {
      fail(BoardService.status(e));
      return;
    }
    if (out.isReady()) {
      out.request(1);
    } else {
      waitingForReady = true;
      board.counters.stalledRuns.incrementAndGet();
    }
  }

  private void start(RunStart start) {
    if (device != null) {
      throw BoardCodec.invalid("a run stream starts once; this one already started");
    }
    HostedDevice d = board.device(start.getDevice());
    List<Probe> wanted = new ArrayList<>();
    for (var p : start.getProbesList()) {
      wanted.add(BoardCodec.probe(p));
    }
    synchronized (d) {
      d.checkLease(start.getLeaseId());
      d.requireImage();
      d.beginRun(this);
      device = d;
      leaseId = start.getLeaseId();
      d.device.detachAll();
      for (Probe p : wanted) {
        d.device.attach(p);
      }
    }
    probes = List.copyOf(wanted);
  }

  private void batch(StepBatch batch) {
    if (device == null) {
      throw Status.FAILED_PRECONDITION.withDescription("a run stream must begin with RunStart")
          .asRuntimeException();
    }
    if (Integer.toUnsignedLong(batch.getSteps()) > board.limits.maxBatchSteps()) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("a batch of "
          + Integer.toUnsignedString(batch.getSteps()) + " steps exceeds the board's limit of "
          + board.limits.maxBatchSteps() + "; send smaller batches").asRuntimeException();
    }
    Stimulus stimulus = BoardCodec.stimulus(batch);
    int inFlight = board.counters.batchesInFlight.incrementAndGet();
    board.counters.maxBatchesInFlight.accumulateAndGet(inFlight, Math::max);
    RunResult result;
    try {
      synchronized (device) {
        device.checkLease(leaseId);
        result = device.device.run(stimulus);
      }
    } finally {
      board.counters.batchesInFlight.decrementAndGet();
    }
    board.counters.batchesRun.incrementAndGet();
    out.onNext(BoardCodec.output(batches++, result, probes));
  }

  private void onReady() {
    if (waitingForReady && !finished) {
      waitingForReady = false;
      board.counters.stalledRuns.decrementAndGet();
      out.request(1);
    }
  }

  @Override
  public void onError(Throwable t) {
    abandon();
  }

  @Override
  public void onCompleted() {
    if (finished) {
      return;
    }
    end();
    out.onCompleted();
  }

  /** The client went away mid-run (cancel, disconnect, deadline): free its lease, reset. */
  private void abandon() {
    if (finished) {
      return;
    }
    HostedDevice d = device;
    end();
    if (d != null) {
      d.release(leaseId);
    }
  }

  private void fail(io.grpc.StatusRuntimeException e) {
    end();
    out.onError(e);
  }

  private void end() {
    if (finished) {
      return;
    }
    finished = true;
    if (waitingForReady) {
      waitingForReady = false;
      board.counters.stalledRuns.decrementAndGet();
    }
    board.counters.activeRuns.decrementAndGet();
    if (device != null) {
      device.endRun(this);
    }
  }
}
