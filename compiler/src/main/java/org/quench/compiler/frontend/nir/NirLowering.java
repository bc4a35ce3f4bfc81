package org.quench.compiler.frontend.nir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.Provenance;
import org.quench.compiler.ir.ResetMode;
import org.quench.hal.QuenchException;

/**
 * Lowers a {@link NirGraph} to a float {@link Network}: every neuron node (I, IF, LI, LIF, CubaLI,
 * CubaLIF, Threshold) becomes a population of {@link FloatNeurons}, every top-level Input an input
 * port, every top-level Output names the population feeding it; the linear nodes between two
 * neuron populations (Affine, Linear, Scale, Conv1d, Conv2d, SumPool2d, AvgPool2d, Flatten, Delay,
 * nested graphs' Input and Output) are composed into one sparse float projection per (source,
 * target) pair, fan-in summed, delays added. Nested graphs are flattened with names
 * {@code "outer.inner"}.
 *
 * <p>Neuron mapping (see {@link FloatNeurons} for the dynamics): LIF tau_syn 0, tau_mem tau;
 * CubaLIF/CubaLI as given, their {@code w_in} multiplying the incoming weights and bias; IF and I
 * tau_mem +infinity (adds r I per step); LI, CubaLI and I never spike (readouts: probe their v);
 * Threshold tau_mem 0 (v = I). Affine and convolution biases, carried through later linear nodes,
 * become the target population's constant input current. Convolutions are PyTorch
 * cross-correlations (no kernel flip) with stride, zero padding ("same" as PyTorch pads: the
 * smaller half first), dilation and groups; average pooling divides by the kernel area.
 *
 * <p>What the chip cannot run is an error naming the node, the reason and what would help.
 */
public final class NirLowering {
  private NirLowering() {}

  /** A neuron node or an input port as a projection source. */
  private record Source(boolean port, String name) {}

  /** The linear expression of a node's output: per source a map, plus a constant bias. */
  private record Expr(Map<Source, LinearMap> terms, double[] bias, int[] shape) {
    int size() {
      return bias.length;
    }
  }

  /** A node of the flattened graph and where it came from. */
  private record Flat(String name, NirNode node, NirGraph graph, String local, boolean top) {}

  /** Lowers {@code graph}; {@code name} names the network, {@code provenance} its source. */
  public static Network lower(NirGraph graph, String name, Provenance provenance,
      NirImportOptions options) {
    return new Run(graph, options).network(name, provenance);
  }

  private static final class Run {
    final NirImportOptions options;
    final Map<String, Flat> nodes = new LinkedHashMap<>();
    final Map<String, List<String>> into = new HashMap<>();
    final Map<String, List<String>> outOf = new HashMap<>();
    final Map<String, Expr> exprs = new HashMap<>();
    final Set<String> visiting = new HashSet<>();
    final Map<String, int[]> popShapes = new HashMap<>();
    final Set<String> shaping = new HashSet<>();
    final List<String> notes = new ArrayList<>();

    Run(NirGraph graph, NirImportOptions options) {
      this.options = options;
      flatten(graph, "", true);
    }

    private void flatten(NirGraph g, String prefix, boolean top) {
      for (Map.Entry<String, NirNode> e : g.nodes().entrySet()) {
        if (e.getValue() instanceof NirNode.Graph inner) {
          flatten(inner.graph(), prefix + e.getKey() + ".", false);
        } else {
          String n = prefix + e.getKey();
          if (nodes.put(n, new Flat(n, e.getValue(), g, e.getKey(), top)) != null) {
            throw new QuenchException("NIR node name '" + n + "' occurs twice once nested graphs are"
                + " flattened; rename one of the nodes");
          }
        }
      }
      for (NirEdge e : g.edges()) {
        String s = flatName(g, prefix, e.sourcePath(), true);
        String t = flatName(g, prefix, e.targetPath(), false);
        outOf.computeIfAbsent(s, k -> new ArrayList<>()).add(t);
        into.computeIfAbsent(t, k -> new ArrayList<>()).add(s);
      }
    }

    private static String flatName(NirGraph g, String prefix, List<String> path, boolean source) {
      NirNode n = g.node(path.get(0));
      if (n instanceof NirNode.Graph inner) {
        String p = prefix + path.get(0) + ".";
        if (path.size() > 1) {
          return flatName(inner.graph(), p, path.subList(1, path.size()), source);
        }
        Class<? extends NirNode> want = source ? NirNode.Output.class : NirNode.Input.class;
        List<String> ends = inner.graph().nodes().entrySet().stream()
            .filter(e -> want.isInstance(e.getValue())).map(Map.Entry::getKey).toList();
        if (ends.size() != 1) {
          throw new QuenchException("NIR nested graph '" + prefix + path.get(0) + "' is connected as"
              + " a whole but has " + ends.size() + " " + want.getSimpleName() + " nodes; connect to"
              + " its inner nodes by name ('" + path.get(0) + ".<node>')");
        }
        return p + ends.get(0);
      }
      return prefix + path.get(0);
    }

    Network network(String name, Provenance provenance) {
      Network.Builder net = Network.builder(name);
      List<String> populations = new ArrayList<>();
      for (Flat f : nodes.values()) {
        if (f.top && f.node instanceof NirNode.Input in) {
          net.input(new InputPort(f.name, product(in.shape(), f.name)));
        } else if (isNeuron(f.node)) {
          populations.add(f.name);
        }
      }
      if (populations.isEmpty()) {
        throw new QuenchException("the NIR graph has no neuron node (I, IF, LI, LIF, CubaLI, CubaLIF,"
            + " Threshold); there is nothing to put on a chip");
      }
      List<Projection> projections = new ArrayList<>();
      List<String[]> projectionEnds = new ArrayList<>();
      for (String p : populations) {
        Flat f = nodes.get(p);
        int n = size(p);
        Expr in = inputOf(p, n);
        double[] wIn = wIn(f.node, n);
        double[] bias = in.bias().clone();
        for (int i = 0; i < n; i++) {
          bias[i] *= wIn[i];
        }
        net.population(Population.of(p, shape(p), neurons(f, n, bias)));
        for (Map.Entry<Source, LinearMap> t : in.terms().entrySet()) {
          LinearMap m = t.getValue().scaleRows(wIn);
          Source s = t.getKey();
          if (!s.port) {
            checkSpiking(s.name, p);
          }
          projectionEnds.add(new String[] {s.port ? null : s.name, p});
          projections.add(build(s, p, m));
        }
      }
      Set<Integer> recurrent = recurrent(projectionEnds, net, populations);
      for (int j = 0; j < projections.size(); j++) {
        Projection pr = projections.get(j);
        if (recurrent.contains(j) && options.recurrenceDelay() > 0) {
          pr = addDelay(pr, options.recurrenceDelay());
        }
        if (recurrent.contains(j)) {
          notes.add("nir: projection '" + pr.name() + "' is recurrent: it lags " + (1
              + options.recurrenceDelay()) + " step(s) (recurrenceDelay " + options.recurrenceDelay() + ")");
        }
        net.projection(pr);
      }
      for (Flat f : nodes.values()) {
        if (f.top && f.node instanceof NirNode.Output) {
          net.output(outputSource(f.name));
        }
      }
      List<String> all = new ArrayList<>(provenance.notes());
      all.addAll(notes);
      net.provenance(new Provenance(provenance.sourceName(), provenance.sha256(), all));
      return net.build();
    }

    private Projection build(Source s, String target, LinearMap m) {
      String pname = s.name + "->" + target;
      Projection.Builder b = Projection.builder(pname, s.port ? Projection.Source.inputPort(s.name)
          : Projection.Source.population(s.name), m.cols, target, m.rows);
      for (int k = 0; k < m.count; k++) {
        b.floatSynapse(m.col[k], m.row[k], m.weight[k], m.delay[k]);
      }
      return b.build();
    }

    private static Projection addDelay(Projection p, int extra) {
      Projection.Builder b = Projection.builder(p.name(), p.source(), p.sourceSize(), p.target(),
          p.targetSize());
      for (int s = 0; s < p.sourceSize(); s++) {
        for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
          b.floatSynapse(s, p.target(k), p.floatWeight(k), p.delay(k) + extra);
        }
      }
      return b.build();
    }

    /** Back edges of the population graph: on a cycle and not going further from the inputs. */
    private static Set<Integer> recurrent(List<String[]> ends, Network.Builder net, List<String> pops) {
      Map<String, Integer> rank = new HashMap<>();
      ArrayDeque<String> queue = new ArrayDeque<>();
      for (String[] e : ends) {
        if (e[0] == null && rank.putIfAbsent(e[1], 1) == null) {
          queue.add(e[1]);
        }
      }
      while (!queue.isEmpty()) {
        String a = queue.poll();
        for (String[] e : ends) {
          if (a.equals(e[0]) && !rank.containsKey(e[1])) {
            rank.put(e[1], rank.get(a) + 1);
            queue.add(e[1]);
          }
        }
      }
      Set<Integer> out = new HashSet<>();
      for (int j = 0; j < ends.size(); j++) {
        String a = ends.get(j)[0];
        String b = ends.get(j)[1];
        if (a == null) {
          continue;
        }
        if (a.equals(b) || (reaches(b, a, ends)
            && rank.getOrDefault(b, Integer.MAX_VALUE) <= rank.getOrDefault(a, Integer.MAX_VALUE))) {
          out.add(j);
        }
      }
      return out;
    }

    private static boolean reaches(String from, String to, List<String[]> ends) {
      Set<String> seen = new HashSet<>();
      ArrayDeque<String> queue = new ArrayDeque<>(List.of(from));
      while (!queue.isEmpty()) {
        String a = queue.poll();
        if (a.equals(to)) {
          return true;
        }
        if (seen.add(a)) {
          for (String[] e : ends) {
            if (a.equals(e[0])) {
              queue.add(e[1]);
            }
          }
        }
      }
      return false;
    }

    private String outputSource(String output) {
      List<String> in = into.getOrDefault(output, List.of());
      if (in.size() != 1) {
        throw new QuenchException("NIR Output '" + output + "' has " + in.size() + " incoming edges;"
            + " the chip outputs one neuron node's spikes (or voltages) per Output: connect exactly"
            + " one neuron node to it");
      }
      String s = in.get(0);
      while (true) {
        Flat f = nodes.get(s);
        if (isNeuron(f.node)) {
          return s;
        }
        boolean passThrough = (!f.top && (f.node instanceof NirNode.Input
            || f.node instanceof NirNode.Output)) || f.node instanceof NirNode.Flatten;
        List<String> up = into.getOrDefault(s, List.of());
        if (!passThrough || up.size() != 1) {
          throw new QuenchException("NIR Output '" + output + "' reads node '" + s + "' ("
              + f.node.typeName() + "), not a neuron node: the chip can only output a population's"
              + " spikes or voltages. End the graph with a neuron node (an LI or CubaLI readout for"
              + " a weighted sum) before the Output");
        }
        s = up.get(0);
      }
    }

    private void checkSpiking(String source, String target) {
      NirNode n = nodes.get(source).node;
      if (n instanceof NirNode.LI || n instanceof NirNode.CubaLI || n instanceof NirNode.I) {
        throw new QuenchException("NIR node '" + source + "' (" + n.typeName() + ") has no threshold,"
            + " so on the chip it never spikes, but it feeds '" + target + "': the chip sends only"
            + " spikes between neurons. Use a spiking node (LIF, CubaLIF, IF) there, or read '"
            + source + "' as an output");
      }
    }

    private static boolean isNeuron(NirNode n) {
      return n instanceof NirNode.Neuron || n instanceof NirNode.Threshold;
    }

    private int size(String pop) {
      Flat f = nodes.get(pop);
      if (f.node instanceof NirNode.Threshold t) {
        if (!t.threshold().isSingleValue()) {
          return t.threshold().size();
        }
        Expr in = inputOf(pop, -1);
        return in.size();
      }
      return f.graph.neuronCount(f.local);
    }

    private int[] shape(String pop) {
      int[] cached = popShapes.get(pop);
      if (cached != null) {
        return cached;
      }
      Flat f = nodes.get(pop);
      int n = size(pop);
      int[] shape = new int[] {n};
      if (f.node instanceof NirNode.Neuron neuron && neuron.neuronShape().isPresent()) {
        shape = neuron.neuronShape().get();
      } else if (shaping.add(pop)) {
        try {
          int[] s = inputOf(pop, n).shape();
          if (s != null && productOf(s) == n) {
            shape = s;
          }
        } catch (QuenchException e) {
          // Only the shape was wanted (e.g. inside a recurrent loop that reaches this population
          // again); a real problem with the input resurfaces when the input itself is lowered.
        } finally {
          shaping.remove(pop);
        }
      }
      popShapes.put(pop, shape);
      return shape;
    }

    /** The summed input of node {@code name}; {@code n} its size when known (-1 if not). */
    private Expr inputOf(String name, int n) {
      List<String> in = into.getOrDefault(name, List.of());
      Expr sum = null;
      for (String s : in) {
        Expr e = outputOf(s);
        if (sum == null) {
          sum = e;
        } else {
          if (e.size() != sum.size()) {
            throw new QuenchException("NIR node '" + name + "' sums inputs of different sizes ("
                + sum.size() + " and " + e.size() + " from '" + s + "'); fan-in must agree in size");
          }
          Map<Source, LinearMap> terms = new LinkedHashMap<>(sum.terms());
          for (Map.Entry<Source, LinearMap> t : e.terms().entrySet()) {
            terms.merge(t.getKey(), t.getValue(), LinearMap::plus);
          }
          double[] bias = sum.bias().clone();
          for (int i = 0; i < bias.length; i++) {
            bias[i] += e.bias()[i];
          }
          sum = new Expr(terms, bias, sum.shape());
        }
      }
      if (sum == null) {
        if (n < 0) {
          throw new QuenchException("NIR node '" + name + "' has no input and no per-element"
              + " parameters, so its size is unknown; connect it or store per-element parameters");
        }
        return new Expr(Map.of(), new double[n], new int[] {n});
      }
      if (n >= 0 && sum.size() != n) {
        throw new QuenchException("NIR node '" + name + "' has " + n + " neurons but its input has "
            + sum.size() + " elements; the sizes must agree");
      }
      return sum;
    }

    /** The linear expression of a node's output. */
    private Expr outputOf(String name) {
      Expr cached = exprs.get(name);
      if (cached != null) {
        return cached;
      }
      Flat f = nodes.get(name);
      if (f.top && f.node instanceof NirNode.Input in) {
        int n = product(in.shape(), name);
        return new Expr(Map.of(new Source(true, name), LinearMap.identity(n)), new double[n],
            toArray(in.shape()));
      }
      if (f.top && f.node instanceof NirNode.Output) {
        throw new QuenchException("NIR Output '" + name + "' has outgoing edges; an Output ends the"
            + " graph");
      }
      if (isNeuron(f.node)) {
        int n = size(name);
        return new Expr(Map.of(new Source(false, name), LinearMap.identity(n)), new double[n],
            shape(name));
      }
      if (!visiting.add(name)) {
        throw new QuenchException("NIR node '" + name + "' (" + f.node.typeName() + ") lies on a"
            + " cycle of linear nodes with no neuron node in it; the chip needs a neuron population"
            + " in every cycle (a recurrent edge is a one-step delay through neurons)");
      }
      try {
        Expr in = inputOf(name, -1);
        Expr out = apply(f, in);
        exprs.put(name, out);
        return out;
      } finally {
        visiting.remove(name);
      }
    }

    private Expr apply(Flat f, Expr in) {
      NirNode node = f.node;
      String name = f.name;
      if (node instanceof NirNode.Input || node instanceof NirNode.Output) {
        return in; // a nested graph's boundary: identity
      } else if (node instanceof NirNode.Flatten fl) {
        int[] shape = productOf(toArray(fl.inputType())) == in.size()
            ? toArray(fl.outputShape()) : new int[] {in.size()};
        return new Expr(in.terms(), in.bias(), shape);
      } else if (node instanceof NirNode.Affine a) {
        return dense(name, a.weight(), a.bias(), in);
      } else if (node instanceof NirNode.Linear l) {
        return dense(name, l.weight(), null, in);
      } else if (node instanceof NirNode.Scale s) {
        LinearMap op = new LinearMap(in.size(), in.size());
        for (int i = 0; i < in.size(); i++) {
          op.add(i, i, 0, element(name, s.scale(), i, in.size()));
        }
        return applyOp(op, null, in, in.shape());
      } else if (node instanceof NirNode.Delay d) {
        LinearMap op = new LinearMap(in.size(), in.size());
        for (int i = 0; i < in.size(); i++) {
          double seconds = element(name, d.delay(), i, in.size());
          long steps = Math.round(seconds / options.dt());
          if (Math.abs(steps * options.dt() - seconds) > 1e-6 * options.dt() + 1e-12) {
            notes.add("WARNING nir: Delay '" + name + "' element " + i + " of " + seconds + " s is "
                + "not a whole number of steps at dt " + options.dt() + "; rounded to " + steps);
          }
          op.add(i, i, (int) steps, 1.0);
        }
        return applyOp(op, null, in, in.shape());
      } else if (node instanceof NirNode.Conv2d c) {
        return conv2d(name, c, in);
      } else if (node instanceof NirNode.Conv1d c) {
        return conv1d(name, c, in);
      } else if (node instanceof NirNode.SumPool2d p) {
        return pool(name, p.kernelSize(), p.stride(), p.padding(), 1.0, in);
      } else if (node instanceof NirNode.AvgPool2d p) {
        return pool(name, p.kernelSize(), p.stride(), p.padding(),
            1.0 / (p.kernelSize().get(0) * p.kernelSize().get(1)), in);
      }
      throw new QuenchException("NIR node '" + name + "' (" + node.typeName() + ") cannot be"
          + " lowered here");
    }

    private Expr dense(String name, NirTensor w, NirTensor bias, Expr in) {
      int out = w.dim(0);
      int inF = w.dim(1);
      if (inF != in.size()) {
        throw new QuenchException("NIR node '" + name + "' takes " + inF + " inputs (weight shape "
            + Arrays.toString(w.shape()) + ") but receives " + in.size());
      }
      LinearMap op = new LinearMap(out, inF);
      for (int o = 0; o < out; o++) {
        for (int k = 0; k < inF; k++) {
          double v = w.get(o * inF + k);
          if (v != 0) {
            op.add(o, k, 0, v);
          }
        }
      }
      double[] b = bias == null ? null : bias.toArray();
      return applyOp(op, b, in, new int[] {out});
    }

    private Expr applyOp(LinearMap op, double[] ownBias, Expr in, int[] shape) {
      Map<Source, LinearMap> terms = new LinkedHashMap<>();
      for (Map.Entry<Source, LinearMap> t : in.terms().entrySet()) {
        terms.put(t.getKey(), op.after(t.getValue()));
      }
      double[] bias = new double[op.rows];
      for (int k = 0; k < op.count; k++) {
        bias[op.row[k]] += op.weight[k] * in.bias()[op.col[k]];
      }
      if (ownBias != null) {
        for (int i = 0; i < bias.length; i++) {
          bias[i] += ownBias[ownBias.length == 1 ? 0 : i];
        }
      }
      return new Expr(terms, bias, shape);
    }

    private Expr conv2d(String name, NirNode.Conv2d c, Expr in) {
      NirTensor w = c.weight();
      int cout = w.dim(0);
      int cinG = w.dim(1);
      int kh = w.dim(2);
      int kw = w.dim(3);
      int cin = cinG * c.groups();
      int[] s = spatialInput(name, in, cin, c.inputShape().map(Run::toArray).orElse(null), 2);
      int h = s[0];
      int wd = s[1];
      int[] padH = padding(name, c.padding(), 0, c.dilation().get(0), kh, c.stride().get(0));
      int[] padW = padding(name, c.padding(), 1, c.dilation().get(1), kw, c.stride().get(1));
      int sh = c.stride().get(0);
      int sw = c.stride().get(1);
      int dh = c.dilation().get(0);
      int dw = c.dilation().get(1);
      int ho = Math.floorDiv(h + padH[0] + padH[1] - dh * (kh - 1) - 1, sh) + 1;
      int wo = Math.floorDiv(wd + padW[0] + padW[1] - dw * (kw - 1) - 1, sw) + 1;
      if (ho <= 0 || wo <= 0) {
        throw new QuenchException("NIR Conv2d '" + name + "' gives an empty output (" + ho + "x" + wo
            + ") for input " + h + "x" + wd + "; check its kernel, stride and padding");
      }
      int coutG = cout / c.groups();
      LinearMap op = new LinearMap(cout * ho * wo, cin * h * wd);
      for (int co = 0; co < cout; co++) {
        int g = co / coutG;
        for (int oy = 0; oy < ho; oy++) {
          for (int ox = 0; ox < wo; ox++) {
            int row = (co * ho + oy) * wo + ox;
            for (int cl = 0; cl < cinG; cl++) {
              int ci = g * cinG + cl;
              for (int ky = 0; ky < kh; ky++) {
                int iy = oy * sh - padH[0] + ky * dh;
                if (iy < 0 || iy >= h) {
                  continue;
                }
                for (int kx = 0; kx < kw; kx++) {
                  int ix = ox * sw - padW[0] + kx * dw;
                  if (ix < 0 || ix >= wd) {
                    continue;
                  }
                  double v = w.get(((co * cinG + cl) * kh + ky) * kw + kx);
                  if (v != 0) {
                    op.add(row, (ci * h + iy) * wd + ix, 0, v);
                  }
                }
              }
            }
          }
        }
      }
      double[] bias = new double[cout * ho * wo];
      for (int co = 0; co < cout; co++) {
        double b = c.bias().size() == 1 ? c.bias().get(0) : c.bias().get(co);
        Arrays.fill(bias, co * ho * wo, (co + 1) * ho * wo, b);
      }
      return applyOp(op, bias, in, new int[] {cout, ho, wo});
    }

    private Expr conv1d(String name, NirNode.Conv1d c, Expr in) {
      NirTensor w = c.weight();
      int cout = w.dim(0);
      int cinG = w.dim(1);
      int k = w.dim(2);
      int cin = cinG * c.groups();
      int[] s = spatialInput(name, in, cin, c.inputLength().map(l -> new int[] {l}).orElse(null), 1);
      int len = s[0];
      int[] pad = padding(name, c.padding(), 0, c.dilation(), k, c.stride());
      int lo = Math.floorDiv(len + pad[0] + pad[1] - c.dilation() * (k - 1) - 1, c.stride()) + 1;
      if (lo <= 0) {
        throw new QuenchException("NIR Conv1d '" + name + "' gives an empty output for input length "
            + len + "; check its kernel, stride and padding");
      }
      int coutG = cout / c.groups();
      LinearMap op = new LinearMap(cout * lo, cin * len);
      for (int co = 0; co < cout; co++) {
        int g = co / coutG;
        for (int o = 0; o < lo; o++) {
          for (int cl = 0; cl < cinG; cl++) {
            int ci = g * cinG + cl;
            for (int q = 0; q < k; q++) {
              int i = o * c.stride() - pad[0] + q * c.dilation();
              double v = w.get((co * cinG + cl) * k + q);
              if (i >= 0 && i < len && v != 0) {
                op.add(co * lo + o, ci * len + i, 0, v);
              }
            }
          }
        }
      }
      double[] bias = new double[cout * lo];
      for (int co = 0; co < cout; co++) {
        double b = c.bias().size() == 1 ? c.bias().get(0) : c.bias().get(co);
        Arrays.fill(bias, co * lo, (co + 1) * lo, b);
      }
      return applyOp(op, bias, in, new int[] {cout, lo});
    }

    private Expr pool(String name, List<Integer> kernel, List<Integer> stride,
        List<Integer> padding, double weight, Expr in) {
      int[] shape = in.shape();
      if (shape == null || shape.length != 3) {
        throw new QuenchException("NIR pooling node '" + name + "' needs a (C, H, W) input but its"
            + " input has shape " + Arrays.toString(shape) + "; feed it from a Conv2d, a shaped Input"
            + " or a neuron node with per-neuron (C, H, W) parameters");
      }
      int ch = shape[0];
      int h = shape[1];
      int wd = shape[2];
      int kh = kernel.get(0);
      int kw = kernel.get(1);
      int ho = (h + 2 * padding.get(0) - kh) / stride.get(0) + 1;
      int wo = (wd + 2 * padding.get(1) - kw) / stride.get(1) + 1;
      LinearMap op = new LinearMap(ch * ho * wo, ch * h * wd);
      for (int c = 0; c < ch; c++) {
        for (int oy = 0; oy < ho; oy++) {
          for (int ox = 0; ox < wo; ox++) {
            for (int ky = 0; ky < kh; ky++) {
              int iy = oy * stride.get(0) - padding.get(0) + ky;
              for (int kx = 0; kx < kw; kx++) {
                int ix = ox * stride.get(1) - padding.get(1) + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                  op.add((c * ho + oy) * wo + ox, (c * h + iy) * wd + ix, 0, weight);
                }
              }
            }
          }
        }
      }
      return applyOp(op, null, in, new int[] {ch, ho, wo});
    }

    private static int[] spatialInput(String name, Expr in, int cin, int[] declared, int rank) {
      int[] s = declared;
      if (s == null && in.shape() != null && in.shape().length == rank + 1 && in.shape()[0] == cin) {
        s = Arrays.copyOfRange(in.shape(), 1, rank + 1);
      }
      if (s == null) {
        throw new QuenchException("NIR convolution '" + name + "': its input shape is unknown (the"
            + " file has no input_shape and its input has shape " + Arrays.toString(in.shape())
            + "); store input_shape or feed it from a shaped node");
      }
      if ((long) cin * productOf(s) != in.size()) {
        throw new QuenchException("NIR convolution '" + name + "' expects " + cin + " channels of "
            + Arrays.toString(s) + " = " + cin * productOf(s) + " inputs but receives " + in.size());
      }
      return s;
    }

    /** Padding before and after for one spatial axis. */
    private static int[] padding(String name, NirNode.Padding p, int axis, int dilation, int kernel,
        int stride) {
      if (p.mode() == NirNode.PaddingMode.SAME) {
        if (stride != 1) {
          throw new QuenchException("NIR convolution '" + name + "' uses padding \"same\" with stride "
              + stride + "; PyTorch defines \"same\" only for stride 1: export explicit padding");
        }
        int total = dilation * (kernel - 1);
        return new int[] {total / 2, total - total / 2};
      }
      int a = p.amounts().get(Math.min(axis, p.amounts().size() - 1));
      return new int[] {a, a};
    }

    private static double element(String name, NirTensor t, int i, int n) {
      if (t.isSingleValue()) {
        return t.get(0);
      }
      if (t.size() != n) {
        throw new QuenchException("NIR node '" + name + "' has " + t.size() + " values for " + n
            + " elements");
      }
      return t.get(i);
    }

    private double[] wIn(NirNode node, int n) {
      NirTensor w = node instanceof NirNode.CubaLIF c ? c.wIn()
          : node instanceof NirNode.CubaLI c ? c.wIn() : null;
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = w == null ? 1.0 : w.broadcast(i);
      }
      return out;
    }

    private FloatNeurons neurons(Flat f, int n, double[] bias) {
      double inf = Double.POSITIVE_INFINITY;
      double[] tauSyn = new double[n];
      double[] tauMem = new double[n];
      double[] threshold = new double[n];
      double[] r = new double[n];
      double[] vLeak = new double[n];
      double[] vReset = new double[n];
      NirNode node = f.node;
      for (int i = 0; i < n; i++) {
        if (node instanceof NirNode.LIF x) {
          tauMem[i] = x.tau().broadcast(i);
          r[i] = x.r().broadcast(i);
          vLeak[i] = x.vLeak().broadcast(i);
          threshold[i] = x.vThreshold().broadcast(i);
          vReset[i] = x.vReset().broadcast(i);
        } else if (node instanceof NirNode.CubaLIF x) {
          tauSyn[i] = x.tauSyn().broadcast(i);
          tauMem[i] = x.tauMem().broadcast(i);
          r[i] = x.r().broadcast(i);
          vLeak[i] = x.vLeak().broadcast(i);
          threshold[i] = x.vThreshold().broadcast(i);
          vReset[i] = x.vReset().broadcast(i);
        } else if (node instanceof NirNode.IF x) {
          tauMem[i] = inf;
          r[i] = x.r().broadcast(i);
          threshold[i] = x.vThreshold().broadcast(i);
          vReset[i] = x.vReset().broadcast(i);
        } else if (node instanceof NirNode.I x) {
          tauMem[i] = inf;
          r[i] = x.r().broadcast(i);
          threshold[i] = inf;
        } else if (node instanceof NirNode.LI x) {
          tauMem[i] = x.tau().broadcast(i);
          r[i] = x.r().broadcast(i);
          vLeak[i] = x.vLeak().broadcast(i);
          threshold[i] = inf;
        } else if (node instanceof NirNode.CubaLI x) {
          tauSyn[i] = x.tauSyn().broadcast(i);
          tauMem[i] = x.tauMem().broadcast(i);
          r[i] = x.r().broadcast(i);
          vLeak[i] = x.vLeak().broadcast(i);
          threshold[i] = inf;
        } else if (node instanceof NirNode.Threshold x) {
          tauMem[i] = 0;
          r[i] = 1;
          threshold[i] = x.threshold().broadcast(i);
        }
      }
      ResetMode mode = options.resetMode() == NirImportOptions.Reset.SUBTRACT
          ? ResetMode.BY_SUBTRACTION : ResetMode.TO_ZERO;
      return FloatNeurons.builder(n).tauSyn(tauSyn).tauMem(tauMem).threshold(threshold).r(r)
          .vLeak(vLeak).vReset(vReset).bias(bias).allResetMode(mode).build(f.name);
    }

    private static int product(List<Integer> shape, String name) {
      long p = 1;
      for (int d : shape) {
        p *= d;
      }
      if (p <= 0 || p > Integer.MAX_VALUE) {
        throw new QuenchException("NIR node '" + name + "' has shape " + shape + "; it needs 1 to "
            + Integer.MAX_VALUE + " elements");
      }
      return (int) p;
    }

    private static int productOf(int[] s) {
      int p = 1;
      for (int d : s) {
        p *= d;
      }
      return p;
    }

    private static int[] toArray(List<Integer> l) {
      return l.stream().mapToInt(Integer::intValue).toArray();
    }
  }
}
