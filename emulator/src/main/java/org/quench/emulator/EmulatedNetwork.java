package org.quench.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.ChipSpec;
import org.quench.hal.DeviceProfile;
import org.quench.hal.QuenchException;
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
 * neuron). Building one checks everything the emulator relies on and throws a QuenchException
 * naming the first inconsistency; nothing is half-built.
 */
final class EmulatedNetwork {
  static final int FORMAT_VERSION = 1;

  final EmulatedCore[] cores;
  final int chips;
  final Map<String, PortIn> inputs = new LinkedHashMap<>();
  final Map<String, PortOut> outputs = new LinkedHashMap<>();
  final Map<String, Population> populations = new LinkedHashMap<>();
  private final Map<Long, Integer> byAddress = new HashMap<>();

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

  /** The image on a chip instance whose deviations are {@code profile} (null: nominal). */
  EmulatedNetwork(ChipImage image, ChipSpec spec, DeviceProfile profile) {
    if (image.getHeader().getFormatVersion() != FORMAT_VERSION) {
      throw new QuenchException("image format version " + image.getHeader().getFormatVersion()
          + " is not supported (this emulator reads version " + FORMAT_VERSION + "); recompile the model");
    }
    String hash = image.getHeader().getSpecHash();
    if (!hash.isEmpty() && !hash.equals(spec.hash())) {
      throw new QuenchException("image was compiled for chip spec '" + image.getHeader().getSpecName()
          + "' (hash " + shortHash(hash) + ") but this device emulates '" + spec.name() + "' (hash "
          + shortHash(spec.hash()) + "); recompile for this spec or open a matching device");
    }
    int chipCount = Math.max(1, image.getHeader().getChipCount());
    if (chipCount > spec.maxChips()) {
      throw new QuenchException("image spans " + chipCount + " chips; spec '" + spec.name()
          + "' allows at most " + spec.maxChips());
    }
    chips = chipCount;
    cores = new EmulatedCore[image.getCoresCount()];
    for (int i = 0; i < cores.length; i++) {
      Core c = image.getCores(i);
      CoreAddress a = c.getAddress();
      if (Integer.toUnsignedLong(a.getChip()) >= chipCount
          || Integer.toUnsignedLong(a.getCore()) >= spec.coresPerChip()) {
        throw new QuenchException("image core #" + i + " has address (" + Integer.toUnsignedString(a.getChip())
            + "," + Integer.toUnsignedString(a.getCore()) + ") outside " + chipCount + " chips x "
            + spec.coresPerChip() + " cores; fix the image");
      }
      if (byAddress.put(key(a), i) != null) {
        throw new QuenchException("image has two cores at (" + a.getChip() + "," + a.getCore()
            + "); fix the image");
      }
      cores[i] = new EmulatedCore(i, c, spec, profile == null || profile.isNominal() ? null
          : profile.core(a.getChip(), a.getCore(), c.getNeuronCount()));
    }
    // Routes: spikes of a source core's neuron range arrive at a destination's axon range.
    for (int i = 0; i < cores.length; i++) {
      Core c = image.getCores(i);
      for (int r = 0; r < c.getRoutesCount(); r++) {
        Route route = c.getRoutes(r);
        String where = "image " + cores[i].where + " route " + r;
        checkRange(where + " neurons", route.getNeuronFirst(), route.getNeuronCount(), cores[i].n);
        Integer dest = byAddress.get(key(route.getDest()));
        if (dest == null) {
          throw new QuenchException(where + ": destination core (" + route.getDest().getChip() + ","
              + route.getDest().getCore() + ") is not in the image; fix the image");
        }
        checkRange(where + " axons", route.getAxonFirst(), route.getNeuronCount(), spec.inputAxonsPerCore());
        if (route.getNeuronCount() > 0) {
          cores[dest].addIncoming(i, route.getNeuronFirst(), route.getNeuronCount(), route.getAxonFirst());
          cores[i].addBoundary(route.getNeuronFirst());
          cores[i].addBoundary(route.getNeuronFirst() + route.getNeuronCount());
        }
      }
    }
    for (EmulatedCore c : cores) {
      c.sealBoundaries();
    }
    for (EmulatedCore c : cores) {
      c.resolveIncoming(cores);
    }
    for (InputPort p : image.getInputsList()) {
      if (inputs.containsKey(p.getName())) {
        throw new QuenchException("image has two input ports named '" + p.getName() + "'");
      }
      inputs.put(p.getName(), buildInput(p, byAddress, spec));
    }
    for (OutputPort p : image.getOutputsList()) {
      if (outputs.containsKey(p.getName())) {
        throw new QuenchException("image has two output ports named '" + p.getName() + "'");
      }
      String where = "image output port '" + p.getName() + "'";
      for (NeuronRange r : p.getSourcesList()) {
        int c = coreOf(r.getCore(), byAddress, where);
        checkRange(where + " neurons", r.getNeuronFirst(), r.getCount(), cores[c].n);
        checkRange(where + " indices", r.getOffset(), r.getCount(), p.getWidth());
      }
      outputs.put(p.getName(), new PortOut(p.getName(), outputs.size(), p.getWidth(), p.getSourcesList()));
    }
    for (Symbol s : image.getSymbolsList()) {
      if (populations.containsKey(s.getPopulation())) {
        throw new QuenchException("image symbol table lists population '" + s.getPopulation() + "' twice");
      }
      String where = "image population '" + s.getPopulation() + "'";
      if (s.getSize() < 0) {
        throw new QuenchException(where + " is too large");
      }
      int[] core = new int[s.getSize()];
      int[] neuron = new int[s.getSize()];
      Arrays.fill(core, -1);
      Arrays.fill(neuron, -1);
      for (NeuronRange r : s.getRangesList()) {
        int c = coreOf(r.getCore(), byAddress, where);
        checkRange(where + " neurons", r.getNeuronFirst(), r.getCount(), cores[c].n);
        checkRange(where + " indices", r.getOffset(), r.getCount(), s.getSize());
        for (int k = 0; k < r.getCount(); k++) {
          core[r.getOffset() + k] = c;
          neuron[r.getOffset() + k] = r.getNeuronFirst() + k;
        }
      }
      populations.put(s.getPopulation(), new Population(s.getPopulation(), s.getSize(), core, neuron));
    }
  }

  private PortIn buildInput(InputPort p, Map<Long, Integer> byAddress, ChipSpec spec) {
    String where = "image input port '" + p.getName() + "'";
    int width = p.getWidth();
    if (width < 0) {
      throw new QuenchException(where + " is too wide");
    }
    int[] ptr = new int[width + 1];
    for (AxonRange r : p.getTargetsList()) {
      coreOf(r.getCore(), byAddress, where);
      checkRange(where + " axons", r.getAxonFirst(), r.getCount(), spec.inputAxonsPerCore());
      checkRange(where + " indices", r.getPortOffset(), r.getCount(), width);
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
      int c = byAddress.get(key(r.getCore()));
      for (int k = 0; k < r.getCount(); k++) {
        int pos = fill[r.getPortOffset() + k]++;
        core[pos] = c;
        axon[pos] = r.getAxonFirst() + k;
      }
    }
    return new PortIn(p.getName(), width, ptr, core, axon);
  }

  private int coreOf(CoreAddress a, Map<Long, Integer> byAddress, String where) {
    Integer c = byAddress.get(key(a));
    if (c == null) {
      throw new QuenchException(where + " refers to core (" + Integer.toUnsignedString(a.getChip()) + ","
          + Integer.toUnsignedString(a.getCore()) + "), which is not in the image; fix the image");
    }
    return c;
  }

  private static void checkRange(String where, int first, int count, int limit) {
    long end = Integer.toUnsignedLong(first) + Integer.toUnsignedLong(count);
    if (end > Integer.toUnsignedLong(limit)) {
      throw new QuenchException(where + " " + Integer.toUnsignedString(first) + ".." + (end - 1)
          + " exceed the available " + Integer.toUnsignedString(limit) + "; fix the image");
    }
  }

  private static long key(CoreAddress a) {
    return (Integer.toUnsignedLong(a.getChip()) << 32) | Integer.toUnsignedLong(a.getCore());
  }

  private static String shortHash(String h) {
    return h.length() > 12 ? h.substring(0, 12) : h;
  }

  /** Index in {@link #cores} of the core at {@code a} (which the image holds). */
  int coreIndex(CoreAddress a) {
    return byAddress.get(key(a));
  }

  /** Output ports as a list in slot order. */
  List<PortOut> outputList() {
    return new ArrayList<>(outputs.values());
  }
}
