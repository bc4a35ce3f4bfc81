package org.quench.runtime.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipImages;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.decode.Outputs;
import org.quench.runtime.encode.RateEncoder;
import org.quench.runtime.encode.SpikeTrains;

class SessionTest {
  private static final ChipImage SMALL = TestNetworks.small(0);

  private static SpikeTrains poisson(int steps, long seed) {
    double[][] x = new double[steps][4];
    for (double[] row : x) {
      java.util.Arrays.fill(row, 0.6);
    }
    return new RateEncoder(0.5, seed).encode(x, "in");
  }

  private static Outputs runChunked(int chunk, int steps, SpikeTrains input) {
    try (Session s = Session.open("emu:loihi")) {
      s.load(SMALL).probe(ProbeKind.V, "hidden").probe(ProbeKind.SPIKES, "out").chunkSteps(chunk);
      Outputs o = new Outputs();
      RunSummary summary = s.run(steps, input, o);
      assertEquals(steps, summary.steps());
      assertEquals(input.eventCount("in"), summary.inputEvents());
      assertEquals(o.spikeEvents("out").size(), summary.spikesPerPort().get("out"));
      return o;
    }
  }

  @Test
  void chunkingChangesNoSpikeAndNoVoltage() {
    SpikeTrains input = poisson(150, 3);
    Outputs whole = runChunked(1000, 150, input);
    Outputs pieces = runChunked(7, 150, input);
    assertTrue(whole.spikeEvents("out").size() > 5, "the test network should spike");
    assertArrayEquals(whole.spikes("out"), pieces.spikes("out"));
    Probe v = Probe.of(ProbeKind.V, "hidden");
    assertArrayEquals(whole.trace(v), pieces.trace(v));
  }

  @Test
  void progressReportsEveryChunkEnd() {
    List<Long> seen = new ArrayList<>();
    try (Session s = Session.open("emu:loihi")) {
      s.load(SMALL).chunkSteps(40).onProgress(seen::add);
      s.run(100, InputSource.none(), RunSink.discard());
    }
    assertEquals(List.of(40L, 80L, 100L), seen);
  }

  @Test
  void runsLongerThanTheInputGetNoEventsAfterItsEnd() {
    SpikeTrains input = poisson(30, 5);
    try (Session s = Session.open("emu:loihi")) {
      s.load(SMALL).chunkSteps(16);
      RunSummary summary = s.run(100, input, RunSink.discard());
      assertEquals(input.eventCount("in"), summary.inputEvents());
      assertEquals(100, s.time());
    }
  }

  @Test
  void resetReproducesTheFirstRunAndReadGivesTheLastStep() {
    SpikeTrains input = poisson(60, 9);
    Probe v = Probe.of(ProbeKind.V, "hidden");
    try (Session s = Session.open("emu:loihi")) {
      s.load(SMALL).probe(v);
      Outputs first = new Outputs();
      s.run(60, input, first);
      int[][] trace = first.trace(v);
      assertArrayEquals(trace[59], s.read(v));
      s.reset();
      assertEquals(0, s.time());
      Outputs second = new Outputs();
      s.run(60, input, second);
      assertArrayEquals(trace, second.trace(v));
    }
  }

  @Test
  void samplesWithoutPeriodicResetAreIndependentOfEachOther() {
    SpikeTrains a = poisson(50, 1);
    SpikeTrains b = poisson(50, 2);
    List<RunResult> both;
    List<RunResult> bAlone;
    try (Session s = Session.open("emu:loihi")) {
      s.load(SMALL);
      both = s.runSamples(List.of(a, b), 50, RunSink.discard());
      bAlone = s.runSamples(List.of(b), 50, RunSink.discard());
    }
    assertEquals(2, both.size());
    assertArrayEquals(bAlone.get(0).output("out").dense(50), both.get(1).output("out").dense(50));
    assertTrue(both.get(1).output("out").count() > 0);
  }

  @Test
  void samplesOnASelfResettingImageRunBackToBack() {
    ChipImage resetting = TestNetworks.small(25);
    assertEquals(25, Session.resetInterval(resetting));
    try (Session s = Session.open("emu:loihi")) {
      s.load(resetting);
      List<RunResult> r = s.runSamples(List.of(poisson(25, 1), poisson(25, 2)), 25,
          RunSink.discard());
      assertEquals(25, r.get(1).firstStep(), "no device reset between samples");
      QuenchException e = assertThrows(QuenchException.class,
          () -> s.runSamples(List.of(poisson(30, 1)), 30, RunSink.discard()));
      assertTrue(e.getMessage().contains("every 25 steps"), e.getMessage());
    }
  }

  @Test
  void unknownPopulationsAndRangesAreNamed() {
    try (Session s = Session.open("emu:loihi")) {
      s.load(SMALL);
      QuenchException e = assertThrows(QuenchException.class,
          () -> s.probe(ProbeKind.V, "hiden"));
      assertTrue(e.getMessage().contains("'hiden'") && e.getMessage().contains("hidden"),
          e.getMessage());
      e = assertThrows(QuenchException.class, () -> s.probe(Probe.parse("u:out[2:5]")));
      assertTrue(e.getMessage().contains("3 neurons"), e.getMessage());
    }
  }

  @Test
  void loadsAnImageFileAndRefusesWorkWithoutOne(@TempDir Path dir) {
    Path file = dir.resolve("small.qimg");
    ChipImages.write(SMALL, file);
    try (Session s = Session.open("emu:loihi")) {
      assertThrows(QuenchException.class, () -> s.run(10, InputSource.none(), RunSink.discard()));
      s.load(file);
      assertEquals(java.util.Map.of("in", 4), s.inputPorts());
      assertEquals(java.util.Map.of("out", 3), s.outputPorts());
      assertEquals(8, s.populationSize("hidden"));
    }
  }

  @Test
  void aClosedSessionRefusesToLoad() {
    Session s = Session.open("emu:loihi");
    s.close();
    s.close();
    assertThrows(QuenchException.class, () -> s.load(SMALL));
  }
}
