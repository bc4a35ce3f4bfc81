package org.quench.hal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.ImageHeader;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.Symbol;

/**
 * A human-readable explanation of a {@link ChipImage}, as {@code quench inspect} prints it: the
 * header and provenance, chips and cores used, per core its neurons, profile table sizes, axons,
 * synapses and synapse memory, the axon groups, the ports and the symbol table (population to
 * cores). It reads nothing but the image (and, for memory figures, the chip spec the header names
 * when that spec is built in), so an image file explains itself. Lines are plain ASCII text.
 */
public final class ImageSummary {
  /** At most this many ranges are listed per port or symbol; the rest are counted. */
  static final int MAX_RANGES_LISTED = 6;

  private ImageSummary() {}

  /**
   * Describes {@code image}; synapse memory is computed with the built-in spec named in its header
   * when there is one whose hash matches (or the image records no hash), else left out.
   */
  public static String describe(ChipImage image) {
    return describe(image, builtInSpecFor(image.getHeader()));
  }

  /**
   * Describes {@code image}, computing synapse memory per core with {@code spec} ({@code null}:
   * leave memory out).
   */
  public static String describe(ChipImage image, ChipSpec spec) {
    StringBuilder out = new StringBuilder();
    header(image, spec, out);
    cores(image, spec, out);
    axonGroups(image, out);
    ports(image, out);
    symbols(image, out);
    return out.toString();
  }

  private static ChipSpec builtInSpecFor(ImageHeader h) {
    if (!ChipSpec.BUILT_IN.contains(h.getSpecName())) {
      return null;
    }
    ChipSpec spec = ChipSpec.builtIn(h.getSpecName());
    return h.getSpecHash().isEmpty() || h.getSpecHash().equals(spec.hash()) ? spec : null;
  }

  private static void header(ChipImage image, ChipSpec spec, StringBuilder out) {
    ImageHeader h = image.getHeader();
    out.append("Quench chip image, format version ").append(u(h.getFormatVersion())).append('\n');
    List<String[]> fields = new ArrayList<>();
    String specText = h.getSpecName().isEmpty() ? "(none recorded)" : h.getSpecName();
    if (!h.getSpecHash().isEmpty()) {
      specText += " (sha256 " + h.getSpecHash() + ")";
    }
    fields.add(new String[] {"chip spec", specText});
    if (spec != null) {
      fields.add(new String[] {"memory model", "chip '" + spec.name() + "', "
          + spec.synapseMemoryBytesPerCore() + " bytes of synapse memory per core"});
    } else {
      fields.add(new String[] {"memory model", "none (spec '" + h.getSpecName()
          + "' is not built in or its hash differs): synapse memory not shown"});
    }
    fields.add(new String[] {"compiler", orNone(h.getCompilerVersion())});
    String source = orNone(h.getSourceModel());
    if (!h.getSourceModelHash().isEmpty()) {
      source += " (sha256 " + h.getSourceModelHash() + ")";
    }
    fields.add(new String[] {"source model", source});
    if (!h.getDescription().isEmpty()) {
      fields.add(new String[] {"description", h.getDescription().replace('\n', ' ')});
    }
    Map<String, String> options = new TreeMap<>(h.getOptionsMap());
    if (options.isEmpty()) {
      fields.add(new String[] {"options", "(none)"});
    } else {
      boolean first = true;
      for (Map.Entry<String, String> e : options.entrySet()) {
        fields.add(new String[] {first ? "options" : "", e.getKey() + " = " + e.getValue()});
        first = false;
      }
    }
    long neurons = 0;
    long synapses = 0;
    long groups = 0;
    long routes = 0;
    long routeEntries = 0;
    for (Core c : image.getCoresList()) {
      neurons += u(c.getNeuronCount());
      groups += c.getAxonGroupsCount();
      routes += neuronRoutes(c);
      routeEntries += c.getRoutesCount();
      for (AxonGroup g : c.getAxonGroupsList()) {
        synapses += g.getTargetCount();
      }
    }
    fields.add(new String[] {"chips", u(h.getChipCount()) + " (" + count(image.getCoresCount(),
        "core") + " used" + (spec != null ? ", " + spec.coresPerChip() + " per chip" : "") + ")"});
    fields.add(new String[] {"totals", count(neurons, "neuron") + ", " + count(synapses, "synapse")
        + " in " + count(groups, "axon group") + ", " + count(routes, "route")
        + " (source neuron -> destination core; " + routeEntries + (routeEntries == 1 ? " route entry)" : " route entries)")});
    TextTable table = new TextTable("", "");
    for (String[] f : fields) {
      table.row(f[0], f[1]);
    }
    StringBuilder rendered = new StringBuilder();
    table.appendTo(rendered, "  ");
    // Drop the empty header row the table always starts with.
    out.append(rendered.substring(rendered.indexOf("\n") + 1));
  }

  private static void cores(ChipImage image, ChipSpec spec, StringBuilder out) {
    out.append("\nCores\n");
    if (image.getCoresCount() == 0) {
      out.append("  (none)\n");
      return;
    }
    TextTable t = new TextTable("core", "neurons", "decay rows", "thresh rows", "axon groups",
        "axons", "synapses", "memory B", "routes", "route entries")
        .rightAligned(1, 2, 3, 4, 5, 6, 7, 8, 9);
    for (Core c : image.getCoresList()) {
      long axons = 0;
      long synapses = 0;
      long memory = 0;
      for (AxonGroup g : c.getAxonGroupsList()) {
        axons += u(g.getAxonCount());
        synapses += g.getTargetCount();
        if (spec != null) {
          memory += spec.synapseBytes((int) Math.min(u(g.getAxonCount()), Integer.MAX_VALUE),
              g.getTargetCount(), (int) Math.min(u(g.getNumWeightBits()), 9), maxDelay(g) > 0);
        }
      }
      t.row(address(c), u(c.getNeuronCount()), c.getDecayProfilesCount(),
          c.getThresholdProfilesCount(), c.getAxonGroupsCount(), axons, synapses,
          spec == null ? "-" : memory, neuronRoutes(c), c.getRoutesCount());
    }
    t.appendTo(out, "  ");
  }

  /**
   * Distinct (source neuron, destination core) pairs of a core: what the compiler counts as routes.
   * An image's route entries are finer: one per neuron range and axon group; its output axons
   * ({@link OutputAxons}) one per neuron and axon group.
   */
  static long neuronRoutes(Core c) {
    java.util.Set<Long> pairs = new java.util.HashSet<>();
    for (Route r : c.getRoutesList()) {
      long dest = ((long) r.getDest().getChip() << 20) | r.getDest().getCore();
      for (long k = 0; k < u(r.getNeuronCount()); k++) {
        pairs.add(((u(r.getNeuronFirst()) + k) << 40) | dest);
      }
    }
    return pairs.size();
  }

  private static void axonGroups(ChipImage image, StringBuilder out) {
    TextTable t = new TextTable("core", "group", "kind", "sign", "axons", "synapses", "weight bits",
        "weight exp", "max delay", "msg bits").rightAligned(5, 6, 7, 8, 9);
    int rows = 0;
    for (Core c : image.getCoresList()) {
      for (int i = 0; i < c.getAxonGroupsCount(); i++) {
        AxonGroup g = c.getAxonGroups(i);
        t.row(address(c), g.getName().isEmpty() ? "#" + i : g.getName(), g.getKind(),
            g.getSignMode(), span(u(g.getAxonFirst()), u(g.getAxonCount())), g.getTargetCount(),
            u(g.getNumWeightBits()), g.getWeightExp(), maxDelay(g), u(g.getNumMessageBits()));
        rows++;
      }
    }
    if (rows > 0) {
      out.append("\nAxon groups\n");
      t.appendTo(out, "  ");
    }
  }

  private static void ports(ChipImage image, StringBuilder out) {
    out.append("\nInput ports\n");
    if (image.getInputsCount() == 0) {
      out.append("  (none)\n");
    }
    for (InputPort p : image.getInputsList()) {
      List<String> parts = new ArrayList<>();
      for (AxonRange r : p.getTargetsList()) {
        parts.add("[" + span(u(r.getPortOffset()), u(r.getCount())) + "] -> core " + address(r
            .getCore().getChip(), r.getCore().getCore()) + " axons " + span(u(r.getAxonFirst()),
            u(r.getCount())));
      }
      out.append("  ").append(p.getName()).append(" (width ").append(u(p.getWidth()))
          .append("): ").append(listed(parts)).append('\n');
    }
    out.append("\nOutput ports\n");
    if (image.getOutputsCount() == 0) {
      out.append("  (none)\n");
    }
    for (OutputPort p : image.getOutputsList()) {
      List<String> parts = new ArrayList<>();
      for (NeuronRange r : p.getSourcesList()) {
        parts.add("[" + span(u(r.getOffset()), u(r.getCount())) + "] <- " + neurons(r));
      }
      out.append("  ").append(p.getName()).append(" (width ").append(u(p.getWidth()))
          .append("): ").append(listed(parts)).append('\n');
    }
  }

  private static void symbols(ChipImage image, StringBuilder out) {
    out.append("\nSymbols (population -> cores)\n");
    if (image.getSymbolsCount() == 0) {
      out.append("  (none: probes by population name are not possible)\n");
      return;
    }
    TextTable t = new TextTable("population", "size", "shape", "placed on").rightAligned(1);
    for (Symbol s : image.getSymbolsList()) {
      List<String> parts = new ArrayList<>();
      for (NeuronRange r : s.getRangesList()) {
        parts.add("[" + span(u(r.getOffset()), u(r.getCount())) + "] " + neurons(r));
      }
      StringBuilder shape = new StringBuilder();
      for (int d = 0; d < s.getShapeCount(); d++) {
        shape.append(d == 0 ? "" : "x").append(u(s.getShape(d)));
      }
      t.row(s.getPopulation(), u(s.getSize()), shape.length() == 0 ? "-" : shape, listed(parts));
    }
    t.appendTo(out, "  ");
  }

  private static String neurons(NeuronRange r) {
    return "core " + address(r.getCore().getChip(), r.getCore().getCore()) + " neurons "
        + span(u(r.getNeuronFirst()), u(r.getCount()));
  }

  private static String listed(List<String> parts) {
    if (parts.isEmpty()) {
      return "(no ranges)";
    }
    if (parts.size() <= MAX_RANGES_LISTED) {
      return String.join(", ", parts);
    }
    return String.join(", ", parts.subList(0, MAX_RANGES_LISTED)) + ", ... ("
        + (parts.size() - MAX_RANGES_LISTED) + " more ranges)";
  }

  private static long maxDelay(AxonGroup g) {
    long max = 0;
    for (int s = 0; s < g.getDelayCount(); s++) {
      max = Math.max(max, u(g.getDelay(s)));
    }
    return max;
  }

  /** "first..last" (inclusive), or "none" for an empty range. */
  private static String span(long first, long count) {
    return count == 0 ? "none" : first + ".." + (first + count - 1);
  }

  private static String address(Core c) {
    return address(c.getAddress().getChip(), c.getAddress().getCore());
  }

  private static String address(int chip, int core) {
    return "(" + u(chip) + "," + u(core) + ")";
  }

  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String orNone(String text) {
    return text.isEmpty() ? "(not recorded)" : text;
  }

  private static long u(int value) {
    return Integer.toUnsignedLong(value);
  }
}
