package org.quench.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceProfile;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.Symbol;

/**
 * A loaded image: its cores wired by their routes, and the host-facing tables (input ports as
 * port index to axons, output ports as neuron ranges, the symbol table as population index to
 * neuron). The image must have passed {@link org.quench.hal.ImageValidator} (the device's load
 * does that): nothing is re-checked here; a broken invariant is an IllegalStateException.
 *
 * <p>Each core's integer parameters are materialised once ({@link CoreParameters#of}) and the
 * core is built from them: the place where a chip instance's deviations would be applied.
 */
final class EmulatedNetwork {

  final EmulatedCore[] cores;
  final int chips;
  final Map<String, PortIn> inputs = new LinkedHashMap<>();
  final Map<String, PortOut> outputs = new LinkedHashMap<>();
  final Map<String, Population> populations = new LinkedHashMap<>();
  private final Map<Long, Integer> byAddress = new HashMap<>();
  /** All cores' spike bitmaps, one array per step parity (see EmulatedCore#shareBitmaps). */
  private final int[][] spikeBitmaps;

  /** Host input port: index i drives axons {@code axon[ptr[i]..ptr[i+1])} of cores {@code core[..]}. */
  static final class PortIn {
    final String name;
    final int width;
    final int[] ptr;
    final int[] core;
    final int[] axon;

    PortIn(String name, int width, int[] ptr, int[] core, int[] axon) {
      this.name = name;
      this.width = width;
      this.ptr = ptr;
      this.core = core;
      this.axon = axon;
    }
  }

  /** Host output port: its width and its neuron ranges. */
  static final class PortOut {
    final String name;
    final int slot;
    final int width;
    final List<NeuronRange> sources;

    PortOut(String name, int slot, int width, List<NeuronRange> sources) {
      this.name = name;
      this.slot = slot;
      this.width = width;
      this.sources = sources;
    }
  }

  /** A population: core index and neuron of each population index (-1 where unplaced). */
  static final class Population {
    final String name;
    final int size;
    final int[] core;
    final int[] neuron;

    Population(String name, int size, int[] core, int[] neuron) {
      this.name = name;
      this.size = size;
      this.core = core;
      this.neuron = neuron;
    }
  }

  EmulatedNetwork(ChipImage image, ChipSpec spec) {
    this(image, spec, null);
  }

  /**
   * The image on a chip instance whose deviations are {@code profile} (null or nominal: the spec's
   * exact arithmetic); each core's deviations are realized here, one core at a time.
   */
  EmulatedNetwork(ChipImage image, ChipSpec spec, DeviceProfile profile) {
    chips = image.getHeader().getChipCount();
    cores = new EmulatedCore[image.getCoresCount()];
    for (int i = 0; i < cores.length; i++) {
      Core c = image.getCores(i);
      if (byAddress.put(key(c.getAddress()), i) != null) {
        throw new IllegalStateException("two cores at one address: validate the image first");
      }
      CoreParameters parameters = CoreParameters.of(c, spec);
      InstanceParameters instance = null;
      if (profile != null && !profile.isNominal()) {
        CoreDeviations dev = profile.core(c.getAddress().getChip(), c.getAddress().getCore(), parameters.n);
        if (!dev.isNominal()) {
          instance = InstanceParameters.apply(c, parameters, spec, dev);
        }
      }
      cores[i] = new EmulatedCore(i, c, parameters, spec, instance);
    }
    // Routes: spikes of a source core's neuron range arrive at a destination's axon range.
    for (int i = 0; i < cores.length; i++) {
      Core c = image.getCores(i);
      for (int r = 0; r < c.getRoutesCount(); r++) {
        Route route = c.getRoutes(r);
        int dest = coreOf(route.getDest());
        if (route.getNeuronCount() > 0) {
          cores[dest].addIncoming(i, route.getNeuronFirst(), route.getNeuronCount(), route.getAxonFirst());
        }
      }
    }
    spikeBitmaps = EmulatedCore.shareBitmaps(cores);
    for (EmulatedCore c : cores) {
      c.resolveIncoming(cores);
    }
    for (InputPort p : image.getInputsList()) {
      inputs.put(p.getName(), buildInput(p));
    }
    for (OutputPort p : image.getOutputsList()) {
      outputs.put(p.getName(), new PortOut(p.getName(), outputs.size(), p.getWidth(), p.getSourcesList()));
    }
    for (Symbol s : image.getSymbolsList()) {
      int[] core = new int[s.getSize()];
      int[] neuron = new int[s.getSize()];
      Arrays.fill(core, -1);
      Arrays.fill(neuron, -1);
      for (NeuronRange r : s.getRangesList()) {
        int c = coreOf(r.getCore());
        for (int k = 0; k < r.getCount(); k++) {
          core[r.getOffset() + k] = c;
          neuron[r.getOffset() + k] = r.getNeuronFirst() + k;
        }
      }
      populations.put(s.getPopulation(), new Population(s.getPopulation(), s.getSize(), core, neuron));
    }
  }

  private PortIn buildInput(InputPort p) {
    int width = p.getWidth();
    int[] ptr = new int[width + 1];
    for (AxonRange r : p.getTargetsList()) {
      for (int k = 0; k < r.getCount(); k++) {
        ptr[r.getPortOffset() + k + 1]++;
      }
    }
    for (int i = 0; i < width; i++) {
      ptr[i + 1] += ptr[i];
    }
    int[] fill = Arrays.copyOf(ptr, width);
    int[] core = new int[ptr[width]];
    int[] axon = new int[ptr[width]];
    for (AxonRange r : p.getTargetsList()) {
      int c = coreOf(r.getCore());
      for (int k = 0; k < r.getCount(); k++) {
        int pos = fill[r.getPortOffset() + k]++;
        core[pos] = c;
        axon[pos] = r.getAxonFirst() + k;
      }
    }
    return new PortIn(p.getName(), width, ptr, core, axon);
  }

  private int coreOf(CoreAddress a) {
    Integer c = byAddress.get(key(a));
    if (c == null) {
      throw new IllegalStateException("reference to a core the image does not hold: validate the"
          + " image first");
    }
    return c;
  }

  private static long key(CoreAddress a) {
    return (Integer.toUnsignedLong(a.getChip()) << 32) | Integer.toUnsignedLong(a.getCore());
  }

  /** Index in {@link #cores} of the core at {@code a} (which the image holds). */
  int coreIndex(CoreAddress a) {
    return byAddress.get(key(a));
  }

  /** Bytes of the cores' shared spike bitmaps (both parities). */
  long bitmapBytes() {
    return 4L * (spikeBitmaps[0].length + spikeBitmaps[1].length);
  }

  /** Output ports as a list in slot order. */
  List<PortOut> outputList() {
    return new ArrayList<>(outputs.values());
  }
}
