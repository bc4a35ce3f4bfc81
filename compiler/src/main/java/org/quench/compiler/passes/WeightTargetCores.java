package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Buys cores for {@code --max-weight-error} ({@link Quantize#MAX_WEIGHT_ERROR}): runs after
 * partitioning and before {@link CoreWeightExponents}, and splits cores until every projection's
 * RMS relative weight error with an exponent per (projection, core) meets the target. See
 * docs/precision.md.
 *
 * <p>Cores fix only one cause of weight error: the exponent a core's target neurons share. What an
 * exponent per target neuron still leaves (the mantissa's bits and clipping, {@link WeightRows}'s
 * floor) no number of cores lowers. So the pass first compares each missing projection's floor with
 * the target and, when a floor misses it, fails at once, naming the cause. Otherwise it splits
 * cores greedily: a core's neurons of the projection's target population, sorted by the size of
 * their largest incoming weight, are cut in two where the two halves, each with its own exponent,
 * lower the missing projections' squared relative error most, and the core with the largest
 * reduction goes first. Splitting only ever moves neurons to a fresh core, so every per-core budget
 * the partition met still holds (neurons, profile rows, input axons, synapse memory); output axons,
 * which grow when a source reaches both halves, are counted as hal's OutputAxons defines them and a
 * split that would overflow one is not made. It stops when every projection meets the target, and
 * fails with one message when the cores run out ({@code --max-cores}, default one chip) or no core
 * can be split, saying which projections miss, by how much, which cause limits them and about how
 * many cores would do.
 *
 * <p>The time constants and thresholds are untouched: a split core's neurons keep their profile
 * rows, so a tau or threshold target met by the profile budget stays met, and the weight target
 * then adds cores on top of those the tau target chose.
 *
 * <p>Without a weight target the partition is left as it is and the report prices targets
 * instead ({@link #WEIGHT_PRICE}). Exactly: for each of {@link #COST_TARGETS}, the compile with
 * that target is run up to this splitting (its own scales, gain order and partition, output axons
 * counted, no core limit), so the price is the cores that compile uses; that costs about one more
 * partial compile, so by default only networks of at most {@link #EXACT_PRICE_SYNAPSES} synapses
 * are priced so. Otherwise estimated: this compile's cores cut in order of weight size and split
 * without counting output axons, labelled as an estimate.
 */
public final class WeightTargetCores {
  /** Weight targets a no-target compile prices. */
  static final double[] COST_TARGETS = {0.05, 0.03, 0.02, 0.01};

  /**
   * Option: how a no-target compile prices weight targets: {@code auto} (the default: exactly up
   * to {@link #EXACT_PRICE_SYNAPSES} synapses, else estimated), {@code exact} or {@code estimate}.
   */
  public static final String WEIGHT_PRICE = "weightPrice";

  /**
   * The most synapses for which {@code auto} prices exactly. Exact pricing runs the network passes
   * and the partition once more (once per span of targets over which the quantize pass decides
   * alike), so it roughly doubles a no-target compile's network passes and partition; at this size
   * that is well under a second here (docs/precision.md), while CompileBench's 1M-synapse network
   * would pay several seconds.
   */
  static final long EXACT_PRICE_SYNAPSES = 300_000;

  /**
   * The same mapping when no target is set or it is already met; else one with more cores. Without
   * a target it prices {@link #COST_TARGETS}: {@code partitionFor} gives the partition a compile
   * with the given context's options makes (its network passes and partition), which is then split
   * exactly as that compile splits it; null prices by the estimate.
   */
  public Mapping apply(Mapping mapping, PassContext context, Function<PassContext, Mapping> partitionFor) {
    Network net = mapping.network();
    ChipSpec spec = context.spec();
    // A misspelt --weight-price fails on every compile, not only on those that price.
    pricesExactly(context.options(), 0);
    List<WeightRows> rows = WeightRows.of(net, spec);
    if (rows.isEmpty()) {
      return mapping;
    }
    double target = context.options().relativeError(Quantize.MAX_WEIGHT_ERROR);
    int before = mapping.cores().size();
    if (!Double.isFinite(target)) {
      price(mapping, rows, Pieces.of(mapping, rows, spec, false).rms(), context, partitionFor);
      return mapping;
    }
    Pieces actual = Pieces.of(mapping, rows, spec, true);
    double[] start = actual.rms();
    List<String> hopeless = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int j = 0; j < rows.size(); j++) {
      if (start[j] > target) {
        missing.add(describe(rows.get(j), start[j], target, context));
        if (rows.get(j).floor() > target) {
          hopeless.add(rows.get(j).projection.name());
        }
      }
    }
    if (!hopeless.isEmpty()) {
      throw new QuenchException("--max-weight-error " + (float) target + " cannot be met with more"
          + " cores (they only remove the shared exponent's error); on the partition's " + before
          + " core(s): " + String.join("; ", missing)
          + fixes(rows, start, target));
    }
    int limit = ProfileBudget.coreLimit(context);
    long capacity = actual.capacity();
    actual.meet(target, capacity, limit);
    if (!actual.met() || actual.cores > limit) {
      fail(rows, actual, actual.within, actual.withinCores, limit, capacity, target, context);
    }
    double[] after = actual.rms();
    List<CompileReport.WeightFloor> floors = floors(rows, after);
    context.report().weightPrecision(new CompileReport.WeightPrecision(target, before, actual.cores,
        floors, List.of(), true));
    if (actual.cores == before) {
      context.report().decision("weight-target-cores: --max-weight-error " + (float) target
          + " is met on the partition's " + before + " core(s)");
      return mapping;
    }
    for (int p = 0; p < net.populations().size(); p++) {
      context.report().precisionCores(net.populations().get(p).name(), actual.coresOf(p));
    }
    StringBuilder d = new StringBuilder("weight-target-cores: --max-weight-error " + (float) target
        + " bought " + (actual.cores - before) + " core(s) (" + before + " -> " + actual.cores
        + "), splitting cores by weight size:");
    for (int j = 0; j < rows.size(); j++) {
      d.append(String.format(Locale.ROOT, " '%s' %s -> %s,", rows.get(j).projection.name(),
          CompileReport.percent(start[j]), CompileReport.percent(after[j])));
    }
    d.setLength(d.length() - 1);
    if (actual.relieved > 0) {
      d.append("; ").append(actual.relieved).append(" of the splits only keep output axons within the"
          + " spec's ").append(spec.outputAxonsPerCore()).append(" per core");
    }
    context.report().decision(d.toString());
    return actual.toMapping();
  }

  private static List<CompileReport.WeightFloor> floors(List<WeightRows> rows, double[] rms) {
    List<CompileReport.WeightFloor> out = new ArrayList<>();
    for (int j = 0; j < rows.size(); j++) {
      WeightRows r = rows.get(j);
      out.add(new CompileReport.WeightFloor(r.projection.name(), rms[j], r.floor(), r.floorClipping()));
    }
    return out;
  }

  /** "projection 'p' 3.7 % (target 2.0 %): shared exponent 2.9 %, mantissa 2.2 %, clipping 0 %". */
  private static String describe(WeightRows r, double rms, double target, PassContext context) {
    double folded = CoreWeightExponents.foldedGain(
        context.report().projectionQuality(r.projection.name()), rms);
    double floor = r.floor();
    double clip = r.floorClipping();
    double mantissa = Math.sqrt(Math.max(0, floor * floor - clip * clip));
    double shared = Math.sqrt(Math.max(0, rms * rms - floor * floor));
    String limitedBy = floor <= target ? "the shared exponent limits it (cores fix it)"
        : clip > mantissa ? "clipping limits it" : "the " + r.spec.weightMantBits() + "-bit mantissa limits it";
    return String.format(Locale.ROOT, "projection '%s' RMS %s (target %s) = shared exponent %s,"
        + " mantissa %s, clipping %s (folded per-neuron gain %s of it); an exponent per target neuron"
        + " would leave %s: %s", r.projection.name(), fine(rms), fine(target),
        CompileReport.percent(shared), CompileReport.percent(mantissa), CompileReport.percent(clip),
        CompileReport.percent(folded), fine(floor), limitedBy);
  }

  /** A percentage with three digits, so that an error just above its target reads so. */
  private static String fine(double rel) {
    return String.format(Locale.ROOT, "%.3g %%", rel * 100);
  }

  /** What fixes the misses whose floor is above the target (and the relaxed target that works). */
  private static String fixes(List<WeightRows> rows, double[] rms, double target) {
    boolean clipping = false;
    boolean mantissa = false;
    double reachable = 0;
    for (int j = 0; j < rows.size(); j++) {
      WeightRows r = rows.get(j);
      if (rms[j] > target && r.floor() > target) {
        double clip = r.floorClipping();
        double mant = Math.sqrt(Math.max(0, r.floor() * r.floor() - clip * clip));
        clipping |= clip > mant;
        mantissa |= clip <= mant;
        reachable = Math.max(reachable, r.floor());
      }
    }
    StringBuilder s = new StringBuilder(". Fix: ");
    if (mantissa) {
      s.append("prune weights far smaller than the largest into the same neuron (they round coarsely"
          + " or to 0), use a chip with more weight bits, ");
    }
    if (clipping) {
      s.append("keep the default no-clipping scale (drop --allow-weight-clipping) or shrink the"
          + " largest weights relative to the thresholds, ");
    }
    return s.append("or relax --max-weight-error to ").append(String.format(Locale.ROOT, "%.3g",
        reachable * 1.001)).toString();
  }

  /**
   * The target is not met within the core limit: one message with each missing projection (on
   * the most cores the limit allows), why growing stopped, and what would fix it.
   */
  private static void fail(List<WeightRows> rows, Pieces grown, double[] within, int withinCores,
      int limit, long capacity, double target, PassContext context) {
    List<String> missing = new ArrayList<>();
    double worst = 0;
    boolean gainsSpread = false;
    for (int j = 0; j < rows.size(); j++) {
      if (within[j] > target) {
        missing.add(describe(rows.get(j), within[j], target, context));
        worst = Math.max(worst, within[j]);
        String name = rows.get(j).projection.name();
        gainsSpread |= CoreWeightExponents.foldedGain(context.report().projectionQuality(name), within[j]) > 0;
      }
    }
    boolean met = grown.met();
    String why;
    if (met) {
      why = "about " + grown.cores + " cores would meet it";
    } else if (grown.stuck) {
      why = "splitting further overflows a core's " + grown.spec.outputAxonsPerCore() + " output axons"
          + " (at " + grown.cores + " cores), and splitting that core does not relieve it";
    } else if (grown.cores >= capacity) {
      why = "even " + grown.cores + " cores would not meet it";
    } else {
      why = "no split of a core lowers it further (at " + grown.cores + " cores)";
    }
    StringBuilder m = new StringBuilder("--max-weight-error " + (float) target);
    if (grown.cores > limit) {
      String allowed = context.options().get(ProfileBudget.MAX_CORES, null) == null
          ? "the " + limit + " cores of one '" + grown.spec.name() + "' chip allow (the default;"
              + " --max-cores allows more)"
          : "--max-cores " + limit + " allows";
      m.append(" needs more cores than ").append(allowed).append(": ").append(why);
    } else {
      m.append(" is missed: ").append(why);
    }
    m.append(". On ").append(withinCores).append(" core(s): ").append(String.join("; ", missing))
        .append(". Fix: ");
    List<String> fixes = new ArrayList<>();
    if (met) {
      fixes.add("raise --max-cores to " + grown.cores);
    } else if (grown.stuck) {
      fixes.add("reduce the fan-out of the target neurons' sources");
    }
    fixes.add("relax --max-weight-error to " + String.format(Locale.ROOT, "%.3g", worst * 1.001)
        + " (what " + withinCores + " core(s) reach)");
    if (gainsSpread) {
      fixes.add("make the target neurons' folded input gains (dt/tau_syn) more alike");
    }
    m.append(oneOf(fixes));
    throw new QuenchException(m.toString());
  }

  /** "a", "a or b", "a, b or c". */
  private static String oneOf(List<String> options) {
    if (options.size() == 1) {
      return options.get(0);
    }
    return String.join(", ", options.subList(0, options.size() - 1)) + " or " + options.get(options.size() - 1);
  }

  /**
   * The cores a compile with {@code context}'s weight target ends on, wherever --max-cores stands
   * (what its failure would name), or -1 when splitting cannot meet the target: a projection's
   * floor is above it, no split lowers the error further, or output axons overflow beyond relief.
   * The same splitting {@link #apply} runs, on the partition that compile makes and its
   * {@code rows}.
   */
  static int coresFor(Mapping mapping, List<WeightRows> rows, PassContext context) {
    if (rows.isEmpty()) {
      return mapping.cores().size();
    }
    double target = context.options().relativeError(Quantize.MAX_WEIGHT_ERROR);
    Pieces grown = Pieces.of(mapping, rows, context.spec(), true);
    double[] start = grown.rms();
    for (int j = 0; j < rows.size(); j++) {
      if (start[j] > target && rows.get(j).floor() > target) {
        return -1;
      }
    }
    grown.meet(target, grown.capacity(), Integer.MAX_VALUE);
    return grown.met() ? grown.cores : -1;
  }

  /**
   * Whether a no-target compile of a network with {@code synapses} synapses prices weight targets
   * exactly, by {@link #WEIGHT_PRICE}.
   *
   * @throws QuenchException naming the option when its value is not one of auto, exact, estimate
   */
  static boolean pricesExactly(CompileOptions options, long synapses) {
    String how = options.get(WEIGHT_PRICE, "auto");
    return switch (how) {
      case "auto" -> synapses <= EXACT_PRICE_SYNAPSES;
      case "exact" -> true;
      case "estimate" -> false;
      default -> throw new QuenchException("--weight-price '" + how + "' is not one of auto, exact,"
          + " estimate");
    };
  }

  private static long synapses(Network net) {
    long n = 0;
    for (Projection p : net.projections()) {
      n += p.synapseCount();
    }
    return n;
  }

  /**
   * The no-target compile's price list, for each of {@link #COST_TARGETS} below the worst error,
   * loosest first, up to the first one that cannot be met: exactly when {@link #pricesExactly} and
   * {@code partitionFor} is given, else estimated.
   */
  private static void price(Mapping mapping, List<WeightRows> rows, double[] now, PassContext context,
      Function<PassContext, Mapping> partitionFor) {
    double worst = 0;
    double floor = 0;
    for (int j = 0; j < rows.size(); j++) {
      worst = Math.max(worst, now[j]);
      floor = Math.max(floor, rows.get(j).floor());
    }
    boolean exact = partitionFor != null && pricesExactly(context.options(), synapses(mapping.network()));
    List<CompileReport.WeightCost> costs = exact ? exactCosts(worst, context, partitionFor)
        : estimatedCosts(mapping, rows, worst, floor, context);
    context.report().weightPrecision(new CompileReport.WeightPrecision(Double.POSITIVE_INFINITY,
        mapping.cores().size(), mapping.cores().size(), floors(rows, now), costs, exact));
  }

  /**
   * Each priced target's cost is the cores a compile with it uses: {@link #coresFor} on the
   * partition {@code partitionFor} makes with the target set. Whether a target can be met at all
   * is judged there too, on that compile's own weights: its scales may differ from this
   * compile's, and with them the floor an exponent per neuron leaves.
   */
  private static List<CompileReport.WeightCost> exactCosts(double worst, PassContext context,
      Function<PassContext, Mapping> partitionFor) {
    List<CompileReport.WeightCost> costs = new ArrayList<>();
    // Targets that share a partition share its rows too.
    Mapping partitioned = null;
    List<WeightRows> rows = null;
    for (double t : COST_TARGETS) {
      if (t >= worst) {
        continue;
      }
      // The compile with the target is run up to its splitting; its report is not this one's.
      PassContext withTarget = new PassContext(context.spec(),
          context.options().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(t)), CompileReport.builder());
      int cores;
      String error = null;
      try {
        Mapping m = partitionFor.apply(withTarget);
        if (m != partitioned) {
          partitioned = m;
          rows = WeightRows.of(m.network(), context.spec());
        }
        cores = coresFor(m, rows, withTarget);
      } catch (QuenchException e) {
        // The compile with this target fails before its splitting (e.g. its gain order breaks a
        // tau target within --max-cores): that is no verdict on the weights, so the report names
        // the failure rather than calling the target unreachable. Tighter targets would run the
        // same passes, so pricing stops here.
        cores = -1;
        error = e.getMessage();
      }
      costs.add(new CompileReport.WeightCost(t, cores, error));
      if (cores < 0) {
        break;
      }
    }
    return costs;
  }

  /**
   * Each priced target's cost estimated on this compile's network: its populations' cores cut in
   * order of weight size (what a target's gain order gives), then split for the target without
   * counting output axons. Cheap, and low where output axons force a compile to split further.
   */
  private static List<CompileReport.WeightCost> estimatedCosts(Mapping mapping, List<WeightRows> rows,
      double worst, double floor, PassContext context) {
    List<CompileReport.WeightCost> costs = new ArrayList<>();
    boolean tighter = false;
    for (double t : COST_TARGETS) {
      tighter |= t < worst;
    }
    if (!tighter) {
      return costs;
    }
    Pieces sorted = Pieces.ordered(mapping, rows, context.spec());
    long capacity = Math.min((long) context.spec().maxChips() * context.spec().coresPerChip(),
        mapping.cores().size() + sorted.splittable());
    for (double t : COST_TARGETS) {
      if (t >= worst) {
        continue;
      }
      if (t < floor) {
        costs.add(new CompileReport.WeightCost(t, -1));
        break;
      }
      sorted.target(t);
      while (sorted.anyMissing() && sorted.cores < capacity && sorted.grow(capacity)) {
        // one split per step
      }
      if (sorted.anyMissing()) {
        costs.add(new CompileReport.WeightCost(t, -1));
        break;
      }
      costs.add(new CompileReport.WeightCost(t, sorted.cores));
    }
    return costs;
  }

  /** Target neurons of one population on one core, sorted by the size of their weights. */
  static final class Piece {
    int core;
    final int pop;
    int[] members;
    /** Per judged projection (index into the rows): the squared error of this piece's rows. */
    final double[] sse;
    /** The best cut found for the current misses (-1: none) and its weighted error reduction. */
    int cut = -1;
    double gain;
    boolean fresh;
    /** A split would overflow output axons (until some other split succeeds). */
    boolean blocked;

    Piece(int core, int pop, int[] members, int projections) {
      this.core = core;
      this.pop = pop;
      this.members = members;
      sse = new double[projections];
    }
  }

  /** The pieces of a partition and the splitting state. */
  static final class Pieces {
    final ChipSpec spec;
    final List<WeightRows> rows;
    /** Per population: indices of the rows (projections) into it. */
    final int[][] into;
    final List<Piece> pieces = new ArrayList<>();
    final double[] sse;
    final boolean[] missing;
    /** Per population, per neuron: the sort key (mean log2 of its rows' largest weight). */
    final double[][] key;
    int cores;
    double target = Double.POSITIVE_INFINITY;
    /** Output axon bookkeeping; null when the pieces only measure errors. */
    final AxonBudget axons;
    /** An output-axon overflow no split could relieve: the mapping is not valid. */
    boolean stuck;
    /** Splits made only to bring a core's output axons back within the spec. */
    int relieved;
    /** The per-projection RMS and cores of the last state within {@link #meet}'s limit. */
    double[] within;
    int withinCores;
    /** New cores in creation order, each after its parent: the mapping's order. */
    final List<Integer> order = new ArrayList<>();

    private Pieces(Network net, List<WeightRows> rows, ChipSpec spec, int cores, AxonBudget axons) {
      this.spec = spec;
      this.rows = rows;
      this.cores = cores;
      this.axons = axons;
      int pops = net.populations().size();
      List<List<Integer>> in = new ArrayList<>();
      for (int p = 0; p < pops; p++) {
        in.add(new ArrayList<>());
      }
      for (int j = 0; j < rows.size(); j++) {
        in.get(rows.get(j).population).add(j);
      }
      into = new int[pops][];
      key = new double[pops][];
      for (int p = 0; p < pops; p++) {
        into[p] = in.get(p).stream().mapToInt(Integer::intValue).toArray();
        if (into[p].length > 0) {
          double[] k = new double[net.populations().get(p).size()];
          for (int t = 0; t < k.length; t++) {
            double sum = 0;
            int m = 0;
            for (int j : into[p]) {
              double l = rows.get(j).logMax[t];
              if (!Double.isNaN(l)) {
                sum += l;
                m++;
              }
            }
            k[t] = m == 0 ? Double.POSITIVE_INFINITY : sum / m;
          }
          key[p] = k;
        }
      }
      sse = new double[rows.size()];
      missing = new boolean[rows.size()];
      for (int c = 0; c < cores; c++) {
        order.add(c);
      }
    }

    /**
     * The mapping's cores as pieces; with {@code countAxons} output axons are counted so that
     * splits keep the mapping valid (without, the pieces only measure errors).
     */
    static Pieces of(Mapping mapping, List<WeightRows> rows, ChipSpec spec, boolean countAxons) {
      Network net = mapping.network();
      int n = mapping.cores().size();
      Pieces s = new Pieces(net, rows, spec, n, countAxons ? new AxonBudget(mapping) : null);
      // Every population gets pieces: one without weights to judge may still need splitting to
      // relieve a core's output axons.
      for (int p = 0; p < net.populations().size(); p++) {
        int size = net.populations().get(p).size();
        int[] count = new int[n];
        for (int i = 0; i < size; i++) {
          count[mapping.coreOf(p, i)]++;
        }
        int[][] members = new int[n][];
        for (int c = 0; c < n; c++) {
          members[c] = count[c] == 0 ? null : new int[count[c]];
        }
        int[] fill = new int[n];
        for (int i = 0; i < size; i++) {
          int c = mapping.coreOf(p, i);
          members[c][fill[c]++] = i;
        }
        for (int c = 0; c < n; c++) {
          if (members[c] != null) {
            s.add(new Piece(c, p, s.sorted(p, members[c]), rows.size()));
          }
        }
      }
      return s;
    }

    /**
     * An estimate's start: each population with weights to judge cut, in order of weight size,
     * into as many equal pieces as it has cores in the mapping (what a weight target's ordering
     * gives). The other populations' cores are counted as they are.
     */
    static Pieces ordered(Mapping mapping, List<WeightRows> rows, ChipSpec spec) {
      Network net = mapping.network();
      int n = mapping.cores().size();
      Pieces s = new Pieces(net, rows, spec, n, null);
      int next = 0;
      for (int p = 0; p < net.populations().size(); p++) {
        if (s.into[p].length == 0) {
          continue;
        }
        int size = net.populations().get(p).size();
        boolean[] used = new boolean[n];
        int k = 0;
        for (int i = 0; i < size; i++) {
          int c = mapping.coreOf(p, i);
          k += used[c] ? 0 : 1;
          used[c] = true;
        }
        int[] all = new int[size];
        for (int i = 0; i < size; i++) {
          all[i] = i;
        }
        int[] sortedAll = s.sorted(p, all);
        for (int q = 0; q < k; q++) {
          int from = (int) ((long) size * q / k);
          int to = (int) ((long) size * (q + 1) / k);
          if (to > from) {
            // Core ids only need to be distinct here.
            s.add(new Piece(next++, p, Arrays.copyOfRange(sortedAll, from, to), rows.size()));
          }
        }
      }
      return s;
    }

    /** Distinct cores holding neurons of population {@code pop}. */
    int coresOf(int pop) {
      java.util.Set<Integer> c = new java.util.HashSet<>();
      for (Piece p : pieces) {
        if (p.pop == pop) {
          c.add(p.core);
        }
      }
      return c.size();
    }

    /**
     * Sets the target and splits until every projection meets it, no split helps, or
     * {@code capacity} cores are reached; {@link #within} keeps the last state on at most
     * {@code limit} cores (what a failure reports).
     */
    void meet(double t, long capacity, int limit) {
      target(t);
      within = rms();
      withinCores = cores;
      while (anyMissing() && cores < capacity && grow(capacity)) {
        if (cores <= limit) {
          within = rms();
          withinCores = cores;
        }
      }
    }

    /** Every projection meets the target on a valid mapping. */
    boolean met() {
      return !anyMissing() && !stuck;
    }

    /** The most cores splitting may reach: the spec's chips, or every movable neuron on its own. */
    long capacity() {
      return Math.min((long) spec.maxChips() * spec.coresPerChip(), cores + splittable());
    }

    /** Neurons that a split could still move. */
    long splittable() {
      long m = 0;
      for (Piece p : pieces) {
        m += p.members.length;
      }
      return m;
    }

    private void add(Piece p) {
      for (int j : into[p.pop]) {
        p.sse[j] = rows.get(j).groupSse(p.members, 0, p.members.length);
        sse[j] += p.sse[j];
      }
      pieces.add(p);
    }

    private int[] sorted(int pop, int[] members) {
      double[] k = key[pop];
      if (k == null) {
        return members;
      }
      Integer[] boxed = new Integer[members.length];
      for (int q = 0; q < boxed.length; q++) {
        boxed[q] = members[q];
      }
      Arrays.sort(boxed, (a, b) -> k[a] != k[b] ? Double.compare(k[a], k[b]) : Integer.compare(a, b));
      int[] out = new int[boxed.length];
      for (int q = 0; q < out.length; q++) {
        out[q] = boxed[q];
      }
      return out;
    }

    /** Per judged projection: its RMS relative error with an exponent per piece. */
    double[] rms() {
      double[] out = new double[rows.size()];
      for (int j = 0; j < out.length; j++) {
        out[j] = rows.get(j).rms(sse[j]);
      }
      return out;
    }

    void target(double t) {
      target = t;
      refreshMissing();
    }

    private void refreshMissing() {
      boolean changed = false;
      for (int j = 0; j < rows.size(); j++) {
        boolean m = rows.get(j).rms(sse[j]) > target;
        changed |= m != missing[j];
        missing[j] = m;
      }
      if (changed) {
        for (Piece p : pieces) {
          p.fresh = false;
        }
      }
    }

    boolean anyMissing() {
      for (boolean m : missing) {
        if (m) {
          return true;
        }
      }
      return false;
    }

    /** The missing projections' weighted squared error a piece carries above its floor. */
    private double gap(Piece p) {
      double g = 0;
      for (int j : into[p.pop]) {
        if (missing[j]) {
          WeightRows r = rows.get(j);
          g += (p.sse[j] - r.floorSse(p.members, 0, p.members.length)) / r.norm;
        }
      }
      return g;
    }

    private void evaluate(Piece p) {
      p.fresh = true;
      p.cut = -1;
      p.gain = 0;
      int m = p.members.length;
      if (m < 2) {
        return;
      }
      double[] gainAt = new double[m];
      double carried = 0;
      for (int j : into[p.pop]) {
        if (!missing[j]) {
          continue;
        }
        WeightRows r = rows.get(j);
        double[] cut = r.cutSse(p.members);
        for (int c = 1; c < m; c++) {
          gainAt[c] += (p.sse[j] - cut[c]) / r.norm;
        }
        carried += p.sse[j] / r.norm;
      }
      for (int c = 1; c < m; c++) {
        if (gainAt[c] > p.gain) {
          p.gain = gainAt[c];
          p.cut = c;
        }
      }
      if (p.gain <= carried * 1e-12) {
        p.gain = 0;
        p.cut = -1;
      }
    }

    /**
     * One step: splits the piece whose best cut lowers the missing projections' error most, among
     * those whose split fits every core's output axons; when every useful split would overflow some
     * core (a source reaching both halves gains an axon), makes the best one anyway and then splits
     * each overflowing core in the middle of its largest piece, which spreads what its neurons send
     * over more, smaller cores, until all fit. False when no piece can be split (or the overflow
     * cannot be relieved: {@link #stuck}).
     */
    boolean grow(long capacity) {
      while (true) {
        Piece p = pick(false);
        if (p == null) {
          break;
        }
        if (move(p, false) < 0) {
          return true;
        }
        p.blocked = true;
        p.fresh = false;
      }
      Piece p = axons == null ? null : pick(true);
      if (p == null) {
        return false;
      }
      move(p, true);
      int over;
      while ((over = axons.overflowing()) >= 0) {
        Piece relief = null;
        for (Piece q : pieces) {
          if (q.core == over && q.members.length >= 2
              && (relief == null || q.members.length > relief.members.length)) {
            relief = q;
          }
        }
        if (relief == null || cores >= capacity) {
          stuck = true;
          return false;
        }
        relief.cut = relief.members.length / 2;
        move(relief, true);
        relieved++;
      }
      return true;
    }

    /**
     * The piece to split next: the largest error reduction (among those not blocked, unless
     * {@code blockedToo}); when no cut reduces anything (the sort key misleads), the piece furthest
     * above its floor, cut in the middle. Null when no piece can be split.
     */
    private Piece pick(boolean blockedToo) {
      Piece best = null;
      for (Piece p : pieces) {
        if (p.blocked && !blockedToo || p.members.length < 2 || !relevant(p)) {
          continue;
        }
        if (!p.fresh) {
          evaluate(p);
        }
        if (p.cut > 0 && (best == null || p.gain > best.gain)) {
          best = p;
        }
      }
      if (best != null) {
        return best;
      }
      double bestGap = 0;
      for (Piece p : pieces) {
        if (p.blocked && !blockedToo || p.members.length < 2 || !relevant(p)) {
          continue;
        }
        double g = gap(p);
        if (g > bestGap * (1 + 1e-12) && g > 1e-15) {
          bestGap = g;
          best = p;
        }
      }
      if (best != null) {
        best.cut = best.members.length / 2;
      }
      return best;
    }

    private boolean relevant(Piece p) {
      for (int j : into[p.pop]) {
        if (missing[j]) {
          return true;
        }
      }
      return false;
    }

    /**
     * Splits the piece at its cut: -1 when done, else (unless {@code force}) the core whose output
     * axons would overflow, and nothing changes.
     */
    private int move(Piece p, boolean force) {
      int[] left = Arrays.copyOfRange(p.members, 0, p.cut);
      int[] right = Arrays.copyOfRange(p.members, p.cut, p.members.length);
      int fresh = cores;
      if (axons != null) {
        int over = axons.trySplit(p.pop, left, right, p.core, fresh, force);
        if (over >= 0) {
          return over;
        }
        for (Piece q : pieces) {
          q.blocked = false;
        }
      }
      cores++;
      order.add(order.indexOf(p.core) + 1, fresh);
      for (int j : into[p.pop]) {
        sse[j] -= p.sse[j];
      }
      p.members = left;
      p.fresh = false;
      for (int j : into[p.pop]) {
        p.sse[j] = rows.get(j).groupSse(left, 0, left.length);
        sse[j] += p.sse[j];
      }
      add(new Piece(fresh, p.pop, right, rows.size()));
      refreshMissing();
      return -1;
    }

    /** The mapping with the split cores, each new core right after the one it came from. */
    Mapping toMapping() {
      return axons.toMapping(order);
    }
  }

  /**
   * Which core every neuron is on and how many output axons each core uses ({@link
   * OutputAxonCount}), kept up to date as cores split.
   */
  static final class AxonBudget {
    final Network net;
    final ChipSpec spec;
    final int[] offset;
    /** Per global neuron (population offset + index): its core. */
    final int[] coreOf;
    final OutputAxonCount axons;
    final List<Projection> projections;
    final IncomingSynapses[] incoming;
    final int[][] markLeft;
    final int[][] markRight;
    int token;
    final int[] inRight;
    int rightToken;

    AxonBudget(Mapping m) {
      net = m.network();
      spec = m.spec();
      offset = OutputAxonCount.offsets(net);
      coreOf = OutputAxonCount.coreOfNeuron(m);
      axons = OutputAxonCount.of(net, coreOf, m.cores().size());
      inRight = new int[coreOf.length];
      projections = net.projections();
      incoming = new IncomingSynapses[projections.size()];
      markLeft = new int[projections.size()][];
      markRight = new int[projections.size()][];
    }

    /**
     * Moves {@code right} (neurons of population {@code pop} on core {@code from}) to the new core
     * {@code to} if no core's output axons then exceed the spec (or regardless, when {@code force}):
     * -1 when it did, else the core that would overflow (nothing changes).
     */
    int trySplit(int pop, int[] left, int[] right, int from, int to, boolean force) {
      String name = net.populations().get(pop).name();
      List<Integer> plus = new ArrayList<>();
      rightToken++;
      for (int t : right) {
        inRight[offset[pop] + t] = rightToken;
      }
      for (int j = 0; j < projections.size(); j++) {
        Projection pr = projections.get(j);
        if (pr.source().isInputPort() || !pr.target().equals(name)) {
          continue;
        }
        if (incoming[j] == null) {
          incoming[j] = new IncomingSynapses(pr);
          markLeft[j] = new int[pr.sourceSize()];
          markRight[j] = new int[pr.sourceSize()];
        }
        IncomingSynapses in = incoming[j];
        int sourceOffset = offset[net.indexOf(pr.source().name())];
        token++;
        for (int t : left) {
          for (int k = in.start[t]; k < in.start[t + 1]; k++) {
            markLeft[j][in.sourceOf[in.synapse[k]]] = token;
          }
        }
        for (int t : right) {
          for (int k = in.start[t]; k < in.start[t + 1]; k++) {
            int s = in.sourceOf[in.synapse[k]];
            if (markLeft[j][s] == token && markRight[j][s] != token) {
              markRight[j][s] = token;
              plus.add(sourceOffset + s);
            }
          }
        }
      }
      // Output axons per core after the move: sources reaching both halves gain one; the moved
      // neurons take theirs along.
      Map<Integer, Long> add = new HashMap<>();
      long moved = 0;
      for (int t : right) {
        moved += axons.ofNeuron(offset[pop] + t);
      }
      long movedBefore = moved;
      for (int g : plus) {
        if (inRight[g] == rightToken) {
          moved++;
        } else {
          add.merge(coreOf[g], 1L, Long::sum);
        }
      }
      long limit = spec.outputAxonsPerCore();
      if (moved > limit && !force) {
        return from;
      }
      int worst = -1;
      long worstOver = 0;
      for (Map.Entry<Integer, Long> e : add.entrySet()) {
        int c = e.getKey();
        long over = axons.ofCore(c) + e.getValue() - (c == from ? movedBefore : 0) - limit;
        if (over > worstOver || over == worstOver && over > 0 && c < worst) {
          worst = c;
          worstOver = over;
        }
      }
      if (worst >= 0 && !force) {
        return worst;
      }
      axons.ensureCores(to + 1);
      for (int g : plus) {
        axons.add(g, 1);
      }
      for (int t : right) {
        axons.move(offset[pop] + t, from, to);
        coreOf[offset[pop] + t] = to;
      }
      return -1;
    }

    /** The core whose output axons exceed the spec most (lowest index on ties), or -1. */
    int overflowing() {
      int worst = -1;
      for (int c = 0; c < axons.cores(); c++) {
        if (axons.ofCore(c) > spec.outputAxonsPerCore() && (worst < 0 || axons.ofCore(c) > axons.ofCore(worst))) {
          worst = c;
        }
      }
      return worst;
    }

    /** The mapping of the current cores, each new core right after the one it came from. */
    Mapping toMapping(List<Integer> order) {
      return Mapping.fromCoreOfNeuron(net, spec, coreOf, order.size(),
          order.stream().mapToInt(Integer::intValue).toArray());
    }
  }
}
