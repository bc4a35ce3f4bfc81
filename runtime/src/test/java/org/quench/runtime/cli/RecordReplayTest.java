package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.PortSpikes;
import org.quench.board.proto.ProbeTrace;
import org.quench.board.proto.RecordedRun;
import org.quench.board.BoardServer;
import org.quench.runtime.encode.SpikeTrains;
import org.quench.runtime.replay.Divergence;
import org.quench.runtime.replay.Recording;
import org.quench.runtime.replay.Replay;
import org.quench.runtime.replay.TraceFile;
import org.quench.runtime.session.Session;
import org.quench.runtime.session.TestNetworks;
import picocli.CommandLine;

/** {@code quench record} then {@code quench replay}: identical, perturbed and broken traces. */
class RecordReplayTest {
  private static final ChipImage IMAGE = TestNetworks.small(0);
  private static final int STEPS = 120;

  @TempDir
  Path dir;
  Path image;
  Path input;

  record Outcome(int code, String out, String err) {}

  static Outcome execute(CommandLine cli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return new Outcome(cli.execute(args), out.toString(), err.toString());
  }

  @BeforeEach
  void files() throws Exception {
    image = dir.resolve("small.qimg");
    ChipImages.write(IMAGE, image);
    SplittableRandom rnd = new SplittableRandom(5);
    StringBuilder csv = new StringBuilder();
    for (int s = 0; s < STEPS; s++) {
      for (int c = 0; c < 4; c++) {
        csv.append(c == 0 ? "" : ",").append(rnd.nextInt(3) == 0 ? 1 : 0);
      }
      csv.append('\n');
    }
    input = dir.resolve("in.csv");
    Files.writeString(input, csv);
  }

  private Path record(String chunk) {
    Path trace = dir.resolve("run.qtrace");
    Outcome r = execute(RecordCommand.standalone(), image.toString(), "--input", input.toString(),
        "--probe", "u:hidden", "--probe", "v:hidden[2:6]", "--probe", "spikes:out",
        "--chunk", chunk, "-o", trace.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("recorded " + STEPS + " steps"), r.out());
    return trace;
  }

  @Test
  void replayOfARecordOnTheEmulatorIsIdentical() {
    Path trace = record("17");
    RecordedRun run = TraceFile.read(trace);
    assertEquals(STEPS, run.getSteps());
    assertEquals(3, run.getProbesCount());
    assertEquals(STEPS * 8, run.getProbes(0).getValuesCount());
    assertEquals(STEPS * 4, run.getProbes(1).getValuesCount());
    assertTrue(run.getOutputs(0).getStepsCount() > 0, "the network spikes");
    assertTrue(run.getInputs(0).getStepsCount() > 0, "the stimulus is recorded");
    assertEquals("emu", run.getDevice().getProvider());
    Outcome r = execute(ReplayCommand.standalone(), trace.toString(), "--device",
        "emu:loihi?threads=2");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("identical over " + STEPS + " steps"), r.out());
  }

  /** The lab workflow: record on a (loopback) board, replay on the in-process emulator. */
  @Test
  void aTraceRecordedOnARemoteBoardReplaysIdenticallyOnTheEmulator() {
    Path trace = dir.resolve("board.qtrace");
    try (BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500)
        .device("emu:loihi?threads=1").start()) {
      String uri = "grpc://127.0.0.1:" + board.port() + "/" + board.deviceNames().get(0);
      Outcome r = execute(RecordCommand.standalone(), image.toString(), "--device", uri,
          "--input", input.toString(), "--probe", "v:hidden", "--chunk", "50", "-o",
          trace.toString());
      assertEquals(0, r.code(), r.err());
    }
    RecordedRun run = TraceFile.read(trace);
    assertTrue(run.getDevice().getUri().startsWith("grpc://127.0.0.1:"), run.getDevice().getUri());
    Outcome r = execute(ReplayCommand.standalone(), trace.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("identical over " + STEPS + " steps"), r.out());
  }

  /** The recorded u of hidden[5] at the step of its largest magnitude is changed by one. */
  @Test
  void aPerturbedUValueIsReportedAtItsStepNeuronAndVariable() throws Exception {
    RecordedRun run = TraceFile.read(record("1000"));
    ProbeTrace u = run.getProbes(0);
    int w = u.getWidth();
    int step = 40 + new SplittableRandom(9).nextInt(60);
    int at = step * w + 5;
    int original = u.getValues(at);
    RecordedRun perturbed = run.toBuilder()
        .setProbes(0, u.toBuilder().setValues(at, original + 1)).build();
    Path copy = dir.resolve("perturbed.qtrace");
    TraceFile.write(perturbed, copy);
    Outcome r = execute(ReplayCommand.standalone(), copy.toString());
    assertEquals(ReplayCommand.EXIT_DIVERGED, r.code(), r.out() + r.err());
    String expected = "step " + step + ": population hidden[5] u: recorded " + (original + 1)
        + ", replayed " + original;
    assertTrue(r.out().contains(expected), r.out() + " should contain " + expected);
  }

  /** One recorded output spike removed: the replay's spike shows up at exactly that place. */
  @Test
  void aFlippedOutputSpikeIsReportedAtItsStepAndIndex() throws Exception {
    RecordedRun run = TraceFile.read(record("1000"));
    PortSpikes out = run.getOutputs(0);
    int k = out.getStepsCount() / 2;
    long step = out.getSteps(k);
    int index = out.getIndices(k);
    PortSpikes.Builder flipped = PortSpikes.newBuilder().setPort(out.getPort())
        .setWidth(out.getWidth());
    for (int i = 0; i < out.getStepsCount(); i++) {
      if (i != k) {
        flipped.addSteps(out.getSteps(i)).addIndices(out.getIndices(i)).addValues(out.getValues(i));
      }
    }
    // Without the spikes probe the output port is the first place where the flip shows.
    RecordedRun perturbed = run.toBuilder().setOutputs(0, flipped).clearProbes().build();
    Replay.Outcome o;
    try (Session s = Session.open("emu:loihi")) {
      o = Replay.replay(perturbed, s);
    }
    assertFalse(o.identical());
    assertEquals(new Divergence(step, "spike", "output port out", index, 0, 1), o.divergence());
    assertEquals(step + 1, o.steps());
  }

  @Test
  void biasChangesAreRecordedAndReplayed() {
    SpikeTrains train = SpikeTrains.builder(60).port("in", 4)
        .bias(0, "hidden", new int[] {0, 0, 0, 0, 0, 0, 0, 0})
        .bias(20, "hidden", new int[] {5, 9, 0, 3, 7, 1, 2, 8})
        .bias(45, "hidden", new int[] {0, 0, 0, 0, 0, 0, 0, 0}).build();
    RecordedRun run;
    try (Session s = Session.open("emu:loihi")) {
      s.load(IMAGE).chunkSteps(7);
      run = Recording.record(s, train, 60, List.of(Probe.of(ProbeKind.V, "hidden")));
    }
    assertTrue(run.getBiasChangesList().stream().anyMatch(b -> b.getStep() == 20));
    int[] v = run.getProbes(0).getValuesList().stream().mapToInt(Integer::intValue).toArray();
    assertTrue(Arrays.stream(v, 21 * 8, 45 * 8).anyMatch(x -> x != 0), "the bias drives v");
    try (Session s = Session.open("emu:loihi?threads=3")) {
      assertNull(Replay.replay(run, s).divergence());
    }
    // The same trace without its bias changes no longer matches.
    try (Session s = Session.open("emu:loihi")) {
      Divergence d = Replay.replay(run.toBuilder().clearBiasChanges().build(), s).divergence();
      assertEquals("v", d.variable());
      assertTrue(d.step() >= 20 && d.step() < 45, d.describe());
    }
  }

  @Test
  void aTruncatedTraceGivesOneLineError() throws Exception {
    byte[] bytes = Files.readAllBytes(record("1000"));
    Path cut = dir.resolve("cut.qtrace");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
    Outcome r = execute(ReplayCommand.standalone(), cut.toString());
    assertEquals(1, r.code());
    assertEquals(1, r.err().strip().split("\\R").length, r.err());
    assertTrue(r.err().startsWith("quench: trace " + cut + " is truncated"), r.err());
    assertFalse(r.err().contains("Exception"), r.err());
  }

  /** Format 1 traces (magic "QTRACE\r\n", before the shared frame) are named, not misread. */
  @Test
  void aFormatOneTraceIsRecognisedAndRefusedWithTheRemedy() throws Exception {
    Path old = dir.resolve("old.qtrace");
    byte[] head = "QTRACE\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Files.write(old, Arrays.copyOf(head, 52 + 10));
    Outcome r = execute(ReplayCommand.standalone(), old.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("trace format 1") && r.err().contains("quench record"), r.err());
  }

  @Test
  void aCorruptedOrForeignTraceIsRefused() throws Exception {
    byte[] bytes = Files.readAllBytes(record("1000"));
    bytes[bytes.length / 2] ^= 0x10;
    QuenchException e = assertThrows(QuenchException.class,
        () -> TraceFile.fromBytes(bytes, "x.qtrace"));
    assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    Outcome r = execute(ReplayCommand.standalone(), image.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("is not a Quench trace"), r.err());
    Outcome missing = execute(ReplayCommand.standalone(), dir.resolve("none.qtrace").toString());
    assertEquals(1, missing.code());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }

  @Test
  void helpDocumentsTheDivergenceExitCode() {
    Outcome r = execute(ReplayCommand.standalone(), "--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("3") && r.out().contains("diverged"), r.out());
    assertNotEquals(-1, r.out().indexOf("Exit codes"));
  }
}
