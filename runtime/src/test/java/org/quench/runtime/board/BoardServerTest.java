package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quench.runtime.board.BoardFixture.assertSameResult;
import static org.quench.runtime.board.BoardFixture.awaitTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.quench.runtime.bench.RandomNetwork;
import org.quench.hal.ChipImages;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.board.proto.BoardGrpc;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.LeaseRequest;
import org.quench.board.proto.ListDevicesRequest;
import org.quench.board.proto.ProbeKindValue;
import org.quench.board.proto.ProbeSpec;
import org.quench.board.proto.RenewRequest;
import org.quench.board.proto.ResetRequest;
import org.quench.board.proto.RunInput;
import org.quench.board.proto.RunOutput;
import org.quench.board.proto.RunStart;
import org.quench.board.proto.StepBatch;
import org.quench.board.BoardListing;
import org.quench.board.BoardServer;

/** The board and its remote devices over loopback, with real emulated chips behind them. */
class BoardServerTest {
  private static final ChipImage IMAGE = RandomNetwork.image(11, 4, 250);
  private static final Probe V = new Probe(ProbeKind.V, "lif", 10, 40);
  private static final Probe SPIKES = Probe.of(ProbeKind.SPIKES, "lif");

  private static BoardServer board(int chips) {
    BoardServer.Builder b = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500);
    for (int i = 0; i < chips; i++) {
      b.device("emu:loihi?threads=1&serial=" + i);
    }
    return b.start();
  }

  private static String uri(BoardServer board, String chip, String params) {
    return "grpc://127.0.0.1:" + board.port() + "/" + chip + (params.isEmpty() ? "" : "?" + params);
  }

  private static RunResult[] threeRuns(Device d, long seed) {
    d.load(IMAGE);
    d.attach(V);
    d.attach(SPIKES);
    RunResult first = d.run(RandomNetwork.stimulus(seed, 250, 100));
    RunResult second = d.run(RandomNetwork.stimulus(seed + 1, 100, 50));
    int[] v = d.read(V);
    d.reset();
    RunResult third = d.run(RandomNetwork.stimulus(seed + 2, 30, 300));
    RunResult[] r = {first, second, third, null};
    r[3] = new RunResult(0, d.time(), java.util.Map.of("v", new RunResult.SpikeEvents(
        v.length, new int[0], new int[0], new int[0])), java.util.Map.of());
    assertEquals(v.length, d.read(V).length);
    return r;
  }

  @Test
  void remoteRunGivesTheSameBitsAsInProcess() {
    RunResult[] expected;
    int[] expectedV;
    try (Device local = Devices.open("emu:loihi?threads=2")) {
      expected = threeRuns(local, 5);
      expectedV = local.read(V);
    }
    assertTrue(expected[0].output("out").count() > 0, "the network spikes");
    try (BoardServer board = board(1);
        Device remote = Devices.open(uri(board, "chip0", "batch=64"))) {
      assertEquals("grpc", remote.info().provider());
      RunResult[] actual = threeRuns(remote, 5);
      for (int i = 0; i < 3; i++) {
        assertSameResult(expected[i], actual[i]);
      }
      assertEquals(expected[3].firstStep(), actual[3].firstStep(), "time after the runs");
      assertEquals(java.util.Arrays.toString(expectedV),
          java.util.Arrays.toString(remote.read(V)));
      assertEquals(board.device("chip0").time(), remote.time());
    }
  }

  @Test
  void zeroStepRunsAndBiasChangesAcrossBatchesMatchInProcess() {
    int[] bias = new int[1000];
    java.util.Arrays.fill(bias, 300);
    // The change lands mid-batch (batch = 7 steps) and must stick into the later run.
    Stimulus setBias = Stimulus.builder(10).bias(3, "lif", bias).spike(2, "in", 5).build();
    RunResult expected;
    RunResult expectedEmpty;
    try (Device local = Devices.open("emu:loihi?threads=1")) {
      local.load(IMAGE);
      expectedEmpty = local.run(Stimulus.idle(0));
      RunResult withChange = local.run(setBias);
      expected = local.run(RandomNetwork.stimulus(3, 40, 0));
      assertNotEquals(0, withChange.output("out").count());
    }
    try (BoardServer board = board(1);
        Device remote = Devices.open(uri(board, "chip0", "batch=7"))) {
      remote.load(IMAGE);
      assertSameResult(expectedEmpty, remote.run(Stimulus.idle(0)));
      remote.run(setBias);
      assertSameResult(expected, remote.run(RandomNetwork.stimulus(3, 40, 0)));
    }
  }

  @Test
  void wrongOrMissingTokenIsRefusedWithTheSameBareAnswer() throws Exception {
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").device("emu:loihi?threads=1")
        .token("s3cret-token").start()) {
      List<String> descriptions = new ArrayList<>();
      for (String token : new String[] {null, "wrong", "s3cret-token-but-longer", ""}) {
        ManagedChannel ch = BoardFixture.channel(board.port(), token);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
            BoardGrpc.newBlockingStub(ch).listDevices(ListDevicesRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        descriptions.add(e.getStatus().getDescription());
        BoardFixture.close(ch);
      }
      assertEquals(1, descriptions.stream().distinct().count(), "one answer for all: " + descriptions);
      assertFalse(descriptions.get(0).contains("s3cret"));
      QuenchException refused = assertThrows(QuenchException.class,
          () -> Devices.open(uri(board, "chip0", "token=nope")));
      assertTrue(refused.getMessage().contains("missing or invalid token"), refused.getMessage());
      assertFalse(refused.getMessage().contains("nope"), refused.getMessage());
      // The hint names how the token is given where the address came from.
      assertTrue(refused.getMessage().contains("add ?token=SECRET to the device URI"), refused.getMessage());
      QuenchException listingRefused = assertThrows(QuenchException.class,
          () -> BoardListing.fetch("127.0.0.1:" + board.port(), "nope"));
      assertTrue(listingRefused.getMessage().contains("pass --token SECRET"), listingRefused.getMessage());
      try (Device ok = Devices.open(uri(board, "chip0", "token=s3cret-token"))) {
        ok.load(IMAGE);
        assertEquals(5, ok.run(Stimulus.idle(5)).steps());
      }
      BoardListing listing = BoardListing.fetch("127.0.0.1:" + board.port(), "s3cret-token");
      assertEquals(List.of("chip0"), listing.devices().stream().map(BoardListing.Entry::name).toList());
    }
  }

  @Test
  void aLeasedDeviceIsRefusedToEveryoneElse() throws Exception {
    try (BoardServer board = board(2)) {
      ManagedChannel other = BoardFixture.channel(board.port(), null);
      try (Device a = Devices.open(uri(board, "chip0", ""))) {
        a.load(IMAGE);
        QuenchException e = assertThrows(QuenchException.class,
            () -> Devices.open(uri(board, "chip0", "")));
        assertTrue(e.getMessage().contains("leased by another client"), e.getMessage());
        BoardGrpc.BoardBlockingStub stub = BoardGrpc.newBlockingStub(other);
        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class, () ->
            stub.reset(ResetRequest.newBuilder().setDevice("chip0").setLeaseId("guess").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
        StatusRuntimeException noLease = assertThrows(StatusRuntimeException.class, () ->
            stub.reset(ResetRequest.newBuilder().setDevice("chip1").setLeaseId("").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, noLease.getStatus().getCode());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () ->
            stub.lease(LeaseRequest.newBuilder().setDevice("chip9").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        try (Device b = Devices.open(uri(board, "chip1", ""))) {
          assertEquals("chip1", b.info().uri().substring(b.info().uri().lastIndexOf('/') + 1));
        }
        assertTrue(board.leased("chip0"));
      }
      assertFalse(board.leased("chip0"), "closing the device released its lease");
      try (Device b = Devices.open(uri(board, "chip0", ""))) {
        // The new holder gets a clean device: the old image is not runnable under its lease.
        QuenchException e = assertThrows(QuenchException.class, () -> b.run(Stimulus.idle(1)));
        assertTrue(e.getMessage().contains("LoadImage first"), e.getMessage());
      }
      BoardFixture.close(other);
    }
  }

  @Test
  void aLeaseExpiresUnlessUsedOrRenewed() throws Exception {
    AtomicLong now = new AtomicLong();
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").device("emu:loihi?threads=1")
        .leaseMillis(1000, 100, 5000).clock(now::get).start()) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      BoardGrpc.BoardBlockingStub stub = BoardGrpc.newBlockingStub(ch);
      String lease = stub.lease(LeaseRequest.newBuilder().setDevice("chip0").setTtlMs(1000).build())
          .getLeaseId();
      RenewRequest renew = RenewRequest.newBuilder().setDevice("chip0").setLeaseId(lease).build();
      for (int i = 0; i < 3; i++) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        assertEquals(1000, stub.renew(renew).getTtlMs(), "renewed within its time to live");
      }
      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1001));
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.renew(renew));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("expired"));
      assertFalse(board.leased("chip0"));
      ManagedChannel other = BoardFixture.channel(board.port(), null);
      String second = BoardGrpc.newBlockingStub(other).lease(
          LeaseRequest.newBuilder().setDevice("chip0").build()).getLeaseId();
      assertNotEquals(lease, second);
      BoardFixture.close(other);
      BoardFixture.close(ch);
    }
  }

  @Test
  void anImageOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
    byte[] bytes = ChipImages.toBytes(IMAGE);
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").device("emu:loihi?threads=1")
        .maxImageBytes(bytes.length - 1).start()) {
      try (Device d = Devices.open(uri(board, "chip0", ""))) {
        QuenchException e = assertThrows(QuenchException.class, () -> d.load(IMAGE));
        assertTrue(e.getMessage().contains("exceeds this board's limit"), e.getMessage());
        assertTrue(e.getMessage().contains("RESOURCE_EXHAUSTED"), e.getMessage());
      }
    }
  }

  @Test
  void brokenUploadsAreRefusedAndLeaveTheDeviceAsItWas() throws Exception {
    byte[] bytes = ChipImages.toBytes(IMAGE);
    String sha = ChipImages.sha256(bytes);
    try (BoardServer board = board(1)) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      String lease = BoardGrpc.newBlockingStub(ch).lease(LeaseRequest.newBuilder()
          .setDevice("chip0").build()).getLeaseId();
      byte[] flipped = bytes.clone();
      flipped[bytes.length / 2] ^= 1;
      String shortSha = ChipImages.sha256(java.util.Arrays.copyOf(bytes, bytes.length - 10));
      List<CompletableFuture<?>> broken = List.of(
          BoardFixture.upload(ch, "chip0", lease, flipped, bytes.length, sha, 1000),
          BoardFixture.upload(ch, "chip0", lease, java.util.Arrays.copyOf(bytes, bytes.length - 10),
              bytes.length, shortSha, 1000),
          BoardFixture.upload(ch, "chip0", lease, bytes, bytes.length - 10, sha, 1000),
          BoardFixture.upload(ch, "chip0", lease, bytes, bytes.length, "not-a-digest", 1000),
          BoardFixture.upload(ch, "chip0", lease, "QIMG garbage".getBytes(), 12,
              ChipImages.sha256("QIMG garbage".getBytes()), 1000));
      List<String> messages = new ArrayList<>();
      for (CompletableFuture<?> f : broken) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
        Status s = ((StatusRuntimeException) e.getCause()).getStatus();
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
        messages.add(s.getDescription());
      }
      assertTrue(messages.get(0).contains("SHA-256"), messages.get(0));
      assertTrue(messages.get(1).contains("cut short"), messages.get(1));
      assertTrue(messages.get(2).contains("past the declared size"), messages.get(2));
      // Nothing was loaded, so the device cannot run yet.
      BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
      StreamObserver<RunInput> in = BoardGrpc.newStub(ch).run(collector(answers));
      in.onNext(RunInput.newBuilder().setStart(RunStart.newBuilder().setDevice("chip0")
          .setLeaseId(lease)).build());
      Object a = answers.poll(20, TimeUnit.SECONDS);
      assertEquals(Status.Code.FAILED_PRECONDITION, ((StatusRuntimeException) a).getStatus().getCode());
      assertEquals(sha, BoardFixture.upload(ch, "chip0", lease, IMAGE).get(20, TimeUnit.SECONDS).getSha256());
      BoardFixture.close(ch);
    }
  }

  private static ClientResponseObserver<RunInput, RunOutput> collector(BlockingQueue<Object> answers) {
    return new ClientResponseObserver<>() {
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
        answers.add("completed");
      }
    };
  }

  private static RunInput start(String lease, boolean probeAll) {
    RunStart.Builder s = RunStart.newBuilder().setDevice("chip0").setLeaseId(lease);
    if (probeAll) {
      s.addProbes(ProbeSpec.newBuilder().setKind(ProbeKindValue.PROBE_V).setPopulation("lif")
          .setCount(-1));
    }
    return RunInput.newBuilder().setStart(s).build();
  }

  private static RunInput batch(int steps) {
    return RunInput.newBuilder().setBatch(StepBatch.newBuilder().setSteps(steps)).build();
  }

  @Test
  void aClientThatDisconnectsMidRunFreesItsLeaseAndTheDeviceIsReset() throws Exception {
    try (BoardServer board = board(1)) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      String lease = BoardGrpc.newBlockingStub(ch).lease(LeaseRequest.newBuilder()
          .setDevice("chip0").build()).getLeaseId();
      BoardFixture.upload(ch, "chip0", lease, IMAGE).get(20, TimeUnit.SECONDS);
      BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
      StreamObserver<RunInput> in = BoardGrpc.newStub(ch).run(collector(answers));
      in.onNext(start(lease, false));
      in.onNext(batch(50));
      assertTrue(answers.poll(20, TimeUnit.SECONDS) instanceof RunOutput);
      in.onNext(batch(50));
      assertTrue(board.leased("chip0"));
      ch.shutdownNow();
      awaitTrue("the lease is freed and the run ended",
          () -> !board.leased("chip0") && board.runStats().activeRuns() == 0);
      assertEquals(0, board.device("chip0").time(), "device was reset");
      // The board is fine: a new client gets the same bits as in process.
      RunResult expected;
      try (Device local = Devices.open("emu:loihi?threads=1")) {
        local.load(IMAGE);
        expected = local.run(RandomNetwork.stimulus(9, 60, 100));
      }
      try (Device d = Devices.open(uri(board, "chip0", ""))) {
        d.load(IMAGE);
        assertSameResult(expected, d.run(RandomNetwork.stimulus(9, 60, 100)));
      }
    }
  }

  @Test
  void aClientThatStopsReadingStallsItsRunInsteadOfFillingTheBoard() throws Exception {
    try (BoardServer board = board(1)) {
      ManagedChannel ch = BoardFixture.channel(board.port(), null);
      String lease = BoardGrpc.newBlockingStub(ch).lease(LeaseRequest.newBuilder()
          .setDevice("chip0").build()).getLeaseId();
      BoardFixture.upload(ch, "chip0", lease, IMAGE).get(20, TimeUnit.SECONDS);
      BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
      ClientCallStreamObserver<?>[] call = new ClientCallStreamObserver<?>[1];
      StreamObserver<RunInput> in = BoardGrpc.newStub(ch).run(new ClientResponseObserver<RunInput, RunOutput>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<RunInput> requests) {
          requests.disableAutoRequestWithInitial(0);
          call[0] = requests;
        }

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
          answers.add("completed");
        }
      });
      int sent = 30;
      in.onNext(start(lease, true));
      for (int i = 0; i < sent; i++) {
        in.onNext(batch(40)); // each answer: 40 x 1000 voltages, far over gRPC's buffers
      }
      in.onCompleted();
      awaitTrue("the run stalls", () -> board.runStats().stalledRuns() == 1);
      BoardServer.RunStats stalled = board.runStats();
      assertTrue(stalled.batchesRun() < sent, "ran " + stalled.batchesRun() + " of " + sent);
      assertEquals(1, stalled.maxBatchesInFlight(), "the board never queues input ahead");
      assertTrue(answers.isEmpty(), "nothing was read yet");
      call[0].request(sent);
      for (int i = 0; i < sent; i++) {
        Object a = answers.poll(20, TimeUnit.SECONDS);
        assertTrue(a instanceof RunOutput, String.valueOf(a));
        assertEquals(i, ((RunOutput) a).getBatch());
      }
      call[0].request(1);
      assertEquals("completed", answers.poll(20, TimeUnit.SECONDS));
      assertEquals(sent, board.runStats().batchesRun());
      BoardFixture.close(ch);
    }
  }

  @Test
  void shutdownDuringARunCancelsItAndClosesTheDevices() throws Exception {
    BoardServer board = board(1);
    ManagedChannel ch = BoardFixture.channel(board.port(), null);
    String lease = BoardGrpc.newBlockingStub(ch).lease(LeaseRequest.newBuilder()
        .setDevice("chip0").build()).getLeaseId();
    BoardFixture.upload(ch, "chip0", lease, IMAGE).get(20, TimeUnit.SECONDS);
    BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    StreamObserver<RunInput> in = BoardGrpc.newStub(ch).run(collector(answers));
    in.onNext(start(lease, false));
    in.onNext(batch(20));
    assertTrue(answers.poll(20, TimeUnit.SECONDS) instanceof RunOutput);
    board.close();
    Object end = answers.poll(20, TimeUnit.SECONDS);
    assertTrue(end instanceof StatusRuntimeException, String.valueOf(end));
    Status.Code code = ((StatusRuntimeException) end).getStatus().getCode();
    assertTrue(code == Status.Code.UNAVAILABLE || code == Status.Code.CANCELLED, code.toString());
    assertEquals(0, board.runStats().activeRuns());
    assertThrows(RuntimeException.class, () -> board.device("chip0").run(Stimulus.idle(1)),
        "the device was closed");
    BoardFixture.close(ch);
  }

  @Test
  void eightClientsRunOnEightChipsAtOnce() throws Exception {
    int n = 8;
    RunResult[] expected = new RunResult[n];
    try (Device local = Devices.open("emu:loihi?threads=1")) {
      local.load(IMAGE);
      for (int i = 0; i < n; i++) {
        local.reset();
        expected[i] = local.run(RandomNetwork.stimulus(100 + i, 200, 80));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try (BoardServer board = board(n)) {
      List<Future<RunResult>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        results.add(pool.submit(() -> {
          try (Device d = Devices.open(uri(board, "chip" + k, "batch=50"))) {
            d.load(IMAGE);
            return d.run(RandomNetwork.stimulus(100 + k, 200, 80));
          }
        }));
      }
      for (int i = 0; i < n; i++) {
        assertSameResult(expected[i], results.get(i).get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aThousandShortRunsLeakNoThreads() throws Exception {
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").device("emu:loihi?threads=1")
        .threads(2).start();
        Device d = Devices.open(uri(board, "chip0", ""))) {
      d.load(IMAGE);
      Stimulus s = RandomNetwork.stimulus(1, 3, 100);
      for (int i = 0; i < 20; i++) {
        d.run(s);
      }
      int before = ManagementFactory.getThreadMXBean().getThreadCount();
      for (int i = 0; i < 1000; i++) {
        d.run(s);
      }
      int after = ManagementFactory.getThreadMXBean().getThreadCount();
      assertEquals(1020 * 3, d.time());
      // The board's pools are fixed and the client has none; the slack covers JVM housekeeping.
      assertTrue(after <= before + 2, "threads before " + before + ", after " + after);
      assertEquals(1020, board.runStats().batchesRun());
      assertEquals(0, board.runStats().activeRuns());
    }
  }
}
