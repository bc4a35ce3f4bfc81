package org.quench.compiler.frontend.nir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.quench.hal.MessageText;
import org.quench.hal.QuenchException;

/**
 * A NIR graph as read from a file: named nodes and the identity edges between them.
 *
 * <p>Nodes keep the file's order (the HDF5 group's link order: creation order when the file
 * tracks it, otherwise name order, as every HDF5 reader sees it), so iteration is deterministic.
 * Node names are opaque strings and may contain dots. A node of type NIRGraph
 * ({@link NirNode.Graph}) holds its own NirGraph; edges of this graph may reach into it by the
 * dotted name {@code "<graph node>.<inner node>"} (see {@link NirEdge}).
 *
 * <p>Invariants: every edge's paths name existing nodes; the version string is the file's
 * {@code /version} (provenance only; empty when the file has none), shared by nested graphs.
 * Immutable.
 */
public final class NirGraph {
  private final String version;
  private final Map<String, NirNode> nodes;
  private final List<NirEdge> edges;

  private NirGraph(String version, Map<String, NirNode> nodes, List<NirEdge> edges) {
    this.version = version;
    this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    this.edges = List.copyOf(edges);
  }

  /**
   * A graph of the given nodes (iteration order kept) and edges, each edge a pair
   * {@code [source, target]} of names as a NIR file would write them.
   *
   * @throws IllegalArgumentException if an edge is not a pair or names no node (or names more than
   *     one node through nested graphs)
   */
  public static NirGraph of(String version, Map<String, NirNode> nodes, List<List<String>> edges) {
    List<NirEdge> resolved = new ArrayList<>();
    for (List<String> pair : edges) {
      if (pair.size() != 2) {
        throw new IllegalArgumentException("an edge is a [source, target] pair, not " + pair);
      }
      resolved.add(new NirEdge(pair.get(0), pair.get(1),
          resolveOrThrow(nodes, pair.get(0)), resolveOrThrow(nodes, pair.get(1))));
    }
    return new NirGraph(version, nodes, resolved);
  }

  /** Builds a graph whose edges the reader has already resolved against {@code nodes}. */
  static NirGraph ofResolved(String version, Map<String, NirNode> nodes, List<NirEdge> edges) {
    return new NirGraph(version, nodes, edges);
  }

  private static List<String> resolveOrThrow(Map<String, NirNode> nodes, String name) {
    Resolution r = resolve(nodes, name);
    if (r.path == null) {
      throw new IllegalArgumentException(r.problem);
    }
    return r.path;
  }

  /** A name resolved to a path, or why it could not be. */
  record Resolution(List<String> path, String problem) {}

  /**
   * Resolves an edge end point. An exact node name wins (exporters such as snnTorch write flat
   * names like {@code "lif1.lif"}); otherwise the name is split at a dot into a nested graph node
   * and a name inside it, recursively. Two different resolutions are reported as ambiguous rather
   * than guessed.
   */
  static Resolution resolve(Map<String, NirNode> nodes, String name) {
    if (nodes.containsKey(name)) {
      return new Resolution(List.of(name), null);
    }
    List<List<String>> found = new ArrayList<>();
    for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      if (nodes.get(name.substring(0, dot)) instanceof NirNode.Graph g) {
        Resolution inner = resolve(g.graph().nodes, name.substring(dot + 1));
        if (inner.path != null) {
          List<String> path = new ArrayList<>();
          path.add(name.substring(0, dot));
          path.addAll(inner.path);
          found.add(List.copyOf(path));
        }
      }
    }
    if (found.size() == 1) {
      return new Resolution(found.get(0), null);
    }
    if (found.size() > 1) {
      return new Resolution(null, "'" + MessageText.shown(name) + "' is ambiguous: it could mean any of "
          + MessageText.shown(found.toString(), MessageText.LINE_CHARS));
    }
    return new Resolution(null, "'" + MessageText.shown(name) + "' is not a node of this graph (nodes: "
        + MessageText.shown(String.join(", ", nodes.keySet()), MessageText.LINE_CHARS) + ")");
  }

  /** The file's NIR version string, e.g. "0.2.0"; empty when the file stores none. */
  public String version() {
    return version;
  }

  /** The nodes by name, in file order. Unmodifiable. */
  public Map<String, NirNode> nodes() {
    return nodes;
  }

  /** The edges in file order. Unmodifiable. */
  public List<NirEdge> edges() {
    return edges;
  }

  /**
   * The node of this graph with the given name.
   *
   * @throws NoSuchElementException if there is none
   */
  public NirNode node(String name) {
    NirNode node = nodes.get(name);
    if (node == null) {
      throw new NoSuchElementException("no node '" + name + "' in this graph");
    }
    return node;
  }

  /**
   * The node at a path of names: the first names this graph's node, each further name a node of
   * the nested graph before it (as {@link NirEdge#sourcePath()}).
   *
   * @throws NoSuchElementException if the path does not lead to a node
   */
  public NirNode node(List<String> path) {
    if (path.isEmpty()) {
      throw new NoSuchElementException("empty node path");
    }
    NirNode node = node(path.get(0));
    if (path.size() == 1) {
      return node;
    }
    if (!(node instanceof NirNode.Graph g)) {
      throw new NoSuchElementException("'" + path.get(0) + "' is not a nested graph");
    }
    return g.graph().node(path.subList(1, path.size()));
  }

  /** Resolves a name as an edge of this graph would, or empty if it names no node. */
  public Optional<List<String>> resolve(String name) {
    return Optional.ofNullable(resolve(nodes, name).path);
  }

  /** The edges whose target is the named node of this graph or lies inside it. */
  public List<NirEdge> edgesInto(String name) {
    return edges.stream().filter(e -> e.targetPath().get(0).equals(name)).toList();
  }

  /** The edges whose source is the named node of this graph or lies inside it. */
  public List<NirEdge> edgesOutOf(String name) {
    return edges.stream().filter(e -> e.sourcePath().get(0).equals(name)).toList();
  }

  /**
   * The number of neurons of a neuron node of this graph: the element count of its per-neuron
   * parameters; when all its parameters are single values (broadcast), the size of the data that
   * flows into it (e.g. an Affine's rows, an Input's shape), else the size its successors take,
   * else 1 if a parameter is stored with shape (1,).
   *
   * @throws IllegalArgumentException if the node is not a neuron node
   * @throws QuenchException if the graph does not fix the size
   */
  public int neuronCount(String name) {
    if (!(node(name) instanceof NirNode.Neuron)) {
      throw new IllegalArgumentException(
          "node '" + name + "' is a " + node(name).typeName() + ", not a neuron node");
    }
    Optional<List<Integer>> shape = new ShapeInference().output(this, name);
    if (shape.isEmpty()) {
      shape = new ShapeInference().input(this, name);
    }
    if (shape.isEmpty() && ((NirNode.Neuron) node(name)).parameters().values().stream()
        .anyMatch(t -> t.rank() > 0)) {
      // nothing around it says otherwise: parameters of shape (1,) describe one neuron
      return 1;
    }
    return shape.map(NirGraph::product).orElseThrow(() -> new QuenchException(
        "cannot tell how many neurons node '" + name + "' has: each of its parameters is a single"
            + " value and no node connected to it fixes the size; store per-neuron parameters or"
            + " connect it to a sized node (Input, Affine, Linear, ...)"));
  }

  private static int product(List<Integer> shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * Infers the shapes flowing along edges, far enough to size populations whose parameters are
   * all broadcast. Follows NIR's shape rules (torch's convolution arithmetic, "same" keeps the
   * size); a visiting set stops the walk at cycles.
   */
  private static final class ShapeInference {
    private record Key(NirGraph graph, String name, boolean output) {}

    private final Set<Key> visiting = new HashSet<>();

    /** The shape a node produces. */
    Optional<List<Integer>> output(NirGraph graph, String name) {
      Key key = new Key(graph, name, true);
      if (!visiting.add(key)) {
        return Optional.empty();
      }
      try {
        return outputOf(graph, name, graph.node(name));
      } finally {
        visiting.remove(key);
      }
    }

    /** The shape a node takes in. */
    Optional<List<Integer>> input(NirGraph graph, String name) {
      Key key = new Key(graph, name, false);
      if (!visiting.add(key)) {
        return Optional.empty();
      }
      try {
        return inputOf(graph, name, graph.node(name));
      } finally {
        visiting.remove(key);
      }
    }

    private Optional<List<Integer>> outputOf(NirGraph graph, String name, NirNode node) {
      if (node instanceof NirNode.Input n) {
        return Optional.of(n.shape());
      } else if (node instanceof NirNode.Output n) {
        return Optional.of(n.shape());
      } else if (node instanceof NirNode.Graph n) {
        return single(n.graph(), NirNode.Output.class).flatMap(inner -> output(n.graph(), inner));
      } else if (node instanceof NirNode.Affine n) {
        return Optional.of(List.of(n.outFeatures()));
      } else if (node instanceof NirNode.Linear n) {
        return Optional.of(List.of(n.outFeatures()));
      } else if (node instanceof NirNode.Conv1d n) {
        Optional<Integer> length = n.inputLength()
            .or(() -> fromPredecessor(graph, name).filter(s -> s.size() == 2).map(s -> s.get(1)));
        return length.map(l -> List.of(n.weight().dim(0),
            convolved(l, n.padding(), 0, n.dilation(), n.weight().dim(2), n.stride())));
      } else if (node instanceof NirNode.Conv2d n) {
        Optional<List<Integer>> spatial = n.inputShape()
            .or(() -> fromPredecessor(graph, name).filter(s -> s.size() == 3)
                .map(s -> s.subList(1, 3)));
        return spatial.map(s -> List.of(n.weight().dim(0),
            convolved(s.get(0), n.padding(), 0, n.dilation().get(0), n.weight().dim(2),
                n.stride().get(0)),
            convolved(s.get(1), n.padding(), 1, n.dilation().get(1), n.weight().dim(3),
                n.stride().get(1))));
      } else if (node instanceof NirNode.SumPool2d n) {
        return pooled(graph, name, n.kernelSize(), n.stride(), n.padding());
      } else if (node instanceof NirNode.AvgPool2d n) {
        return pooled(graph, name, n.kernelSize(), n.stride(), n.padding());
      } else if (node instanceof NirNode.Flatten n) {
        return Optional.of(n.outputShape());
      } else if (node instanceof NirNode.Scale n) {
        return sizedOr(n.scale(), () -> fromPredecessor(graph, name));
      } else if (node instanceof NirNode.Threshold n) {
        return sizedOr(n.threshold(), () -> fromPredecessor(graph, name));
      } else if (node instanceof NirNode.Delay n) {
        return sizedOr(n.delay(), () -> fromPredecessor(graph, name));
      } else {
        NirNode.Neuron n = (NirNode.Neuron) node;
        return n.neuronShape().map(NirGraph::boxed)
            .or(() -> fromPredecessor(graph, name))
            .or(() -> fromSuccessor(graph, name));
      }
    }

    private Optional<List<Integer>> inputOf(NirGraph graph, String name, NirNode node) {
      if (node instanceof NirNode.Input n) {
        return Optional.of(n.shape());
      } else if (node instanceof NirNode.Output n) {
        return Optional.of(n.shape());
      } else if (node instanceof NirNode.Graph n) {
        return single(n.graph(), NirNode.Input.class).flatMap(inner -> input(n.graph(), inner));
      } else if (node instanceof NirNode.Affine n) {
        return Optional.of(List.of(n.inFeatures()));
      } else if (node instanceof NirNode.Linear n) {
        return Optional.of(List.of(n.inFeatures()));
      } else if (node instanceof NirNode.Conv1d n) {
        return n.inputLength().map(l -> List.of(n.weight().dim(1) * n.groups(), l));
      } else if (node instanceof NirNode.Conv2d n) {
        return n.inputShape()
            .map(s -> List.of(n.weight().dim(1) * n.groups(), s.get(0), s.get(1)));
      } else if (node instanceof NirNode.Flatten n) {
        return Optional.of(n.inputType());
      } else if (node instanceof NirNode.SumPool2d || node instanceof NirNode.AvgPool2d) {
        return Optional.empty();
      } else if (node instanceof NirNode.Scale n) {
        return sizedOr(n.scale(), () -> fromSuccessor(graph, name));
      } else if (node instanceof NirNode.Threshold n) {
        return sizedOr(n.threshold(), () -> fromSuccessor(graph, name));
      } else if (node instanceof NirNode.Delay n) {
        return sizedOr(n.delay(), () -> fromSuccessor(graph, name));
      } else {
        NirNode.Neuron n = (NirNode.Neuron) node;
        return n.neuronShape().map(NirGraph::boxed).or(() -> fromSuccessor(graph, name));
      }
    }

    private Optional<List<Integer>> fromPredecessor(NirGraph graph, String name) {
      for (NirEdge e : graph.edges) {
        if (e.targetPath().size() == 1 && e.targetPath().get(0).equals(name)) {
          Optional<List<Integer>> shape = outputAt(graph, e.sourcePath());
          if (shape.isPresent()) {
            return shape;
          }
        }
      }
      return Optional.empty();
    }

    private Optional<List<Integer>> fromSuccessor(NirGraph graph, String name) {
      for (NirEdge e : graph.edges) {
        if (e.sourcePath().size() == 1 && e.sourcePath().get(0).equals(name)) {
          Optional<List<Integer>> shape = inputAt(graph, e.targetPath());
          if (shape.isPresent()) {
            return shape;
          }
        }
      }
      return Optional.empty();
    }

    private Optional<List<Integer>> outputAt(NirGraph graph, List<String> path) {
      return path.size() == 1 ? output(graph, path.get(0))
          : outputAt(((NirNode.Graph) graph.node(path.get(0))).graph(), path.subList(1, path.size()));
    }

    private Optional<List<Integer>> inputAt(NirGraph graph, List<String> path) {
      return path.size() == 1 ? input(graph, path.get(0))
          : inputAt(((NirNode.Graph) graph.node(path.get(0))).graph(), path.subList(1, path.size()));
    }

    private static Optional<List<Integer>> sizedOr(NirTensor param,
        Supplier<Optional<List<Integer>>> otherwise) {
      return param.isSingleValue() ? otherwise.get() : Optional.of(boxed(param.shape()));
    }

    private Optional<List<Integer>> pooled(NirGraph graph, String name, List<Integer> kernel,
        List<Integer> stride, List<Integer> padding) {
      return fromPredecessor(graph, name).filter(s -> s.size() == 3).map(s -> List.of(s.get(0),
          (s.get(1) + 2 * padding.get(0) - kernel.get(0)) / stride.get(0) + 1,
          (s.get(2) + 2 * padding.get(1) - kernel.get(1)) / stride.get(1) + 1));
    }

    private static int convolved(int in, NirNode.Padding padding, int axis, int dilation,
        int kernel, int stride) {
      if (padding.mode() == NirNode.PaddingMode.SAME) {
        return in;
      }
      int pad = padding.amounts().get(axis);
      return Math.floorDiv(in + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;
    }

    private static Optional<String> single(NirGraph graph, Class<? extends NirNode> type) {
      List<String> names = graph.nodes.entrySet().stream()
          .filter(e -> type.isInstance(e.getValue())).map(Map.Entry::getKey).toList();
      return names.size() == 1 ? Optional.of(names.get(0)) : Optional.empty();
    }
  }

  private static List<Integer> boxed(int[] shape) {
    List<Integer> list = new ArrayList<>(shape.length);
    for (int d : shape) {
      list.add(d);
    }
    return List.copyOf(list);
  }

  @Override
  public String toString() {
    return "NirGraph[version=" + version + ", nodes=" + nodes.keySet() + ", edges=" + edges.size()
        + "]";
  }
}
