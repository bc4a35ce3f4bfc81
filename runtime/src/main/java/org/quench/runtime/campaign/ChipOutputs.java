package org.quench.runtime.campaign;

import java.util.List;
import org.quench.hal.Device;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.runtime.decode.ClassDecoder;

/**
 * What one chip produced over a campaign's samples, reduced to what the metrics need: per sample
 * the spike count of every output neuron (the image's output ports in order, concatenated), the
 * decoded class, and the readout population's v trace when there is one. Each sample starts from
 * the loaded state ({@link Device#reset()}), so a chip's outputs do not depend on sample order.
 */
final class ChipOutputs {
  final int[][] counts;
  final int[] decoded;
  final long spikes;
  final long neuronSteps;
  /** Readout v over every sample, step and neuron (null without a readout). */
  final int[] readout;

  private ChipOutputs(int[][] counts, int[] decoded, long spikes, long neuronSteps, int[] readout) {
    this.counts = counts;
    this.decoded = decoded;
    this.spikes = spikes;
    this.neuronSteps = neuronSteps;
    this.readout = readout;
  }

  /**
   * Runs every sample on {@code device}, which has the campaign's image loaded.
   *
   * @param ports output port names in the image's order
   * @param widths their widths
   * @param readout population whose v is the readout, or null
   */
  static ChipOutputs measure(Device device, List<Stimulus> samples, List<String> ports, int[] widths,
      String readout) {
    int total = 0;
    for (int w : widths) {
      total += w;
    }
    Probe probe = readout == null ? null : Probe.of(ProbeKind.V, readout);
    device.detachAll();
    if (probe != null) {
      device.attach(probe);
    }
    int[][] counts = new int[samples.size()][total];
    int[] decoded = new int[samples.size()];
    long spikes = 0;
    long neuronSteps = 0;
    int[][] traces = probe == null ? null : new int[samples.size()][];
    int traceLength = 0;
    for (int s = 0; s < samples.size(); s++) {
      Stimulus stimulus = samples.get(s);
      device.reset();
      RunResult result = device.run(stimulus);
      int offset = 0;
      for (int p = 0; p < ports.size(); p++) {
        RunResult.SpikeEvents events = result.output(ports.get(p));
        int[] indices = events.indices();
        for (int i = 0; i < indices.length; i++) {
          counts[s][offset + indices[i]]++;
        }
        spikes += indices.length;
        neuronSteps += (long) widths[p] * stimulus.steps();
        offset += widths[p];
      }
      if (probe != null) {
        RunResult.Trace trace = result.trace(probe);
        traces[s] = trace.values();
        traceLength += trace.values().length;
        decoded[s] = argmaxOfSums(trace);
      } else {
        decoded[s] = ClassDecoder.argmax(java.util.Arrays.copyOf(counts[s], widths[0]));
      }
    }
    int[] flat = null;
    if (traces != null) {
      flat = new int[traceLength];
      int at = 0;
      for (int[] t : traces) {
        System.arraycopy(t, 0, flat, at, t.length);
        at += t.length;
      }
    }
    return new ChipOutputs(counts, decoded, spikes, neuronSteps, flat);
  }

  /** The readout neuron whose v summed over the run is largest (lowest index on ties). */
  private static int argmaxOfSums(RunResult.Trace trace) {
    int width = trace.width();
    if (width == 0) {
      throw new QuenchException("readout " + trace.probe() + " has no neurons");
    }
    long[] sums = new long[width];
    int[] v = trace.values();
    for (int k = 0; k < v.length; k++) {
      sums[k % width] += v[k];
    }
    int best = 0;
    for (int i = 1; i < width; i++) {
      if (sums[i] > sums[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Output spikes per output neuron per step. */
  double rate() {
    return neuronSteps == 0 ? 0 : (double) spikes / neuronSteps;
  }
}
