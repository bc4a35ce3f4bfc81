package org.quench.compiler.frontend.nir;

import org.quench.hal.MessageText;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.quench.compiler.frontend.hdf.HdfModelFile;
import org.quench.hal.QuenchException;

/**
 * Reads a NIR file (HDF5, as written by {@code nir.write} from NIR 0.x to 1.x) into a validated
 * {@link NirGraph}.
 *
 * <p>Accepts contiguous and gzip-compressed (chunked) datasets, fixed- and variable-length strings,
 * float32, float64 and integer parameters stored 0-d, size-1 or per element, and an empty edge list
 * stored as float64 of shape (0,). {@code metadata/} groups, the {@code input_type}/{@code
 * output_type} groups NIR 1.x adds, and any other unknown dataset are ignored.
 *
 * <p>Every problem with the file is a {@link QuenchException} whose message names the file, the
 * node (name and HDF5 path), the parameter and element when there is one, and what to do.
 */
public final class NirReader {
  /** Longest node name a file may use (names are quoted in every message about a node). */
  private static final int MAX_NAME_CHARS = 200;

  private NirReader() {}

  /**
   * Reads and validates the NIR graph stored in {@code file}.
   *
   * @throws QuenchException if the file is missing, not HDF5, not a NIR graph, or holds an
   *     unknown node type, a missing parameter, a wrongly shaped or non-finite parameter, a
   *     non-positive time constant, or an edge naming no node
   */
  public static NirGraph read(Path file) {
    if (!Files.exists(file)) {
      throw new QuenchException(file + ": no such file; check the path of the NIR model");
    }
    if (!Files.isRegularFile(file)) {
      throw new QuenchException(file + ": not a regular file; give the path of a .nir file");
    }
    HdfModelFile model;
    try {
      model = HdfModelFile.of(HdfModelFile.readAll(file, "NIR model"));
    } catch (QuenchException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!fromJhdf(e)) {
        throw e;
      }
      throw new QuenchException(file + ": not an HDF5 file (" + MessageText.firstLine(e) + "); a NIR model"
          + " is an HDF5 file written by nir.write", e);
    }
    try (model) {
      HdfFile hdf = model.hdf();
      String version = readVersion(model);
      Node top = hdf.getChildren().get("node");
      if (!(top instanceof Group group)) {
        throw new QuenchException(file + ": no /node group, so this HDF5 file is not a NIR graph"
            + " (NIR keeps the top graph in /node); export the model with nir.write");
      }
      return new GraphReader(file, version, model).graph(group, "/node", null);
    } catch (QuenchException e) {
      throw e;
    } catch (RuntimeException e) {
      if (!fromJhdf(e)) {
        throw e;
      }
      throw new QuenchException(file + ": cannot read the HDF5 structure (" + MessageText.firstLine(e)
          + "); the file may be truncated or corrupt, export it again", e);
    }
  }

  /** True when jhdf threw {@code e} decoding the file (see {@link HdfModelFile#fromJhdf}). */
  static boolean fromJhdf(RuntimeException e) {
    return HdfModelFile.fromJhdf(e);
  }

  private static String readVersion(HdfModelFile model) {
    // Provenance only: a missing or odd /version does not stop the import.
    if (model.hdf().getChildren().get("version") instanceof Dataset d
        && d.getJavaType() == String.class && d.getSize() == 1 && model.sizeProblem(d) == null) {
      return clean(((Object[]) d.getDataFlat())[0].toString());
    }
    return "";
  }

  /** Fixed-length HDF5 strings may carry NUL padding; names and types never contain NULs. */
  private static String clean(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '\0') {
      end--;
    }
    return s.substring(0, end);
  }

  /** Reads graphs and their nodes from one file, so each error can name the file. */
  private static final class GraphReader {
    private final Path file;
    private final String version;
    private final HdfModelFile model;

    GraphReader(Path file, String version, HdfModelFile model) {
      this.file = file;
      this.version = version;
      this.model = model;
    }

    NirGraph graph(Group group, String path, String label) {
      Site site = new Site(file, label, path, model);
      String type = site.typeOf(group);
      if (!type.equals("NIRGraph")) {
        throw site.fail("has type '" + MessageText.shown(type) + "', expected NIRGraph",
            "a NIR file's /node is the whole network graph; export it with nir.write");
      }
      if (!(group.getChildren().get("nodes") instanceof Group nodesGroup)) {
        throw site.fail("missing required group 'nodes' of a NIRGraph node",
            "re-export the model with nir.write");
      }
      Map<String, NirNode> nodes = new LinkedHashMap<>();
      Map<String, Node> children = nodesGroup.getChildren();
      for (String name : HdfLinkOrder.of(nodesGroup)) {
        String nodePath = path + "/nodes/" + name;
        if (!MessageText.shown(name, MAX_NAME_CHARS).equals(name)) {
          // Names reach every later message about the node: keep them printable and short.
          throw new Site(file, name, nodePath, model).fail("has a name with control characters or"
              + " longer than " + MAX_NAME_CHARS + " characters",
              "NIR node names are short identifiers such as 'lif1'; re-export the model");
        }
        if (!(children.get(name) instanceof Group nodeGroup)) {
          throw new Site(file, name, nodePath, model).fail("is a dataset, expected a group",
              "each entry of nodes/ is a group holding a node's type and parameters");
        }
        nodes.put(name, node(nodeGroup, name, nodePath));
      }
      List<NirEdge> edges = edges(site, group, nodes);
      return NirGraph.ofResolved(version, nodes, edges);
    }

    private List<NirEdge> edges(Site site, Group group, Map<String, NirNode> nodes) {
      if (!(group.getChildren().get("edges") instanceof Dataset d)) {
        throw site.fail("missing required dataset 'edges' of a NIRGraph node",
            "re-export the model with nir.write (an empty edge list is stored as shape (0,))");
      }
      List<NirEdge> edges = new ArrayList<>();
      if (d.getSize() == 0) {
        return edges; // nir.write stores [] as float64 of shape (0,)
      }
      int[] dims = d.isScalar() ? new int[0] : d.getDimensions();
      if (d.getJavaType() != String.class || dims.length != 2 || dims[1] != 2) {
        throw site.fail("'edges' must be an (n, 2) array of node names but is "
                + d.getJavaType().getSimpleName() + " of shape " + Arrays.toString(dims),
            "re-export the model with nir.write");
      }
      Object[] names = (Object[]) site.read(d, "edges");
      for (int i = 0; i < dims[0]; i++) {
        String source = clean(String.valueOf(names[2 * i]));
        String target = clean(String.valueOf(names[2 * i + 1]));
        List<String> sourcePath = resolve(site, nodes, i, source, target, source);
        List<String> targetPath = resolve(site, nodes, i, source, target, target);
        edges.add(new NirEdge(source, target, sourcePath, targetPath));
      }
      return edges;
    }

    private List<String> resolve(Site site, Map<String, NirNode> nodes, int index, String source,
        String target, String name) {
      NirGraph.Resolution r = NirGraph.resolve(nodes, name);
      if (r.path() == null) {
        throw site.fail("edge " + index + " (" + MessageText.shown(source) + " -> "
                + MessageText.shown(target) + "): " + r.problem(),
            "fix the edge or add the missing node; names inside a nested graph are written"
                + " '<graph node>.<inner node>'");
      }
      return r.path();
    }

    private NirNode node(Group group, String name, String path) {
      Site site = new Site(file, name, path, model);
      String type = site.typeOf(group);
      Params p = new Params(site, group, type);
      return switch (type) {
        case "NIRGraph" -> new NirNode.Graph(graph(group, path, name));
        case "Input" -> new NirNode.Input(p.shapeVector("shape"));
        case "Output" -> new NirNode.Output(p.shapeVector("shape"));
        case "Affine" -> affine(p);
        case "Linear" -> new NirNode.Linear(p.matrix("weight"));
        case "Scale" -> new NirNode.Scale(p.tensor("scale"));
        case "Conv1d" -> conv1d(p);
        case "Conv2d" -> conv2d(p);
        case "SumPool2d" -> new NirNode.SumPool2d(p.positives("kernel_size", 2),
            p.positives("stride", 2), p.nonNegatives("padding", 2));
        case "AvgPool2d" -> new NirNode.AvgPool2d(p.positives("kernel_size", 2),
            p.positives("stride", 2), p.nonNegatives("padding", 2));
        case "Flatten" -> flatten(p);
        case "Delay" -> new NirNode.Delay(p.nonNegativeTensor("delay"));
        case "Threshold" -> new NirNode.Threshold(p.tensor("threshold"));
        case "I" -> p.neuron(new NirNode.I(p.tensor("r")));
        case "IF" -> p.neuron(new NirNode.IF(p.tensor("r"), p.tensor("v_threshold"),
            p.tensorOr("v_reset", 0.0)));
        case "LI" -> p.neuron(new NirNode.LI(p.timeConstant("tau"), p.tensor("r"),
            p.tensor("v_leak")));
        case "LIF" -> p.neuron(new NirNode.LIF(p.timeConstant("tau"), p.tensor("r"),
            p.tensor("v_leak"), p.tensor("v_threshold"), p.tensorOr("v_reset", 0.0)));
        case "CubaLI" -> p.neuron(new NirNode.CubaLI(p.timeConstant("tau_syn"),
            p.timeConstant("tau_mem"), p.tensor("r"), p.tensor("v_leak"), p.tensorOr("w_in", 1.0)));
        case "CubaLIF" -> p.neuron(new NirNode.CubaLIF(p.timeConstant("tau_syn"),
            p.timeConstant("tau_mem"), p.tensor("r"), p.tensor("v_leak"), p.tensor("v_threshold"),
            p.tensorOr("v_reset", 0.0), p.tensorOr("w_in", 1.0)));
        default -> throw site.fail("unknown node type '" + MessageText.shown(type) + "'",
            "this reader knows the NIR types " + String.join(", ", NirNode.TYPE_NAMES)
                + "; replace the node or export with a NIR version that has only these");
      };
    }

    private static NirNode affine(Params p) {
      NirTensor weight = p.matrix("weight");
      return new NirNode.Affine(weight,
          p.vectorOfLength("bias", weight.dim(0), "out features", "weight"));
    }

    private static NirNode conv1d(Params p) {
      NirTensor weight = p.tensor("weight");
      p.requireRank("weight", weight, 3, "[out channels, in channels / groups, kernel]");
      int groups = p.groups(weight);
      return new NirNode.Conv1d(weight,
          p.vectorOfLength("bias", weight.dim(0), "out channels", "weight"),
          p.positives("stride", 1).get(0), p.padding("padding", 1),
          p.positives("dilation", 1).get(0), groups,
          p.optionalPositives("input_shape", 1).map(l -> l.get(0)));
    }

    private static NirNode conv2d(Params p) {
      NirTensor weight = p.tensor("weight");
      p.requireRank("weight", weight, 4,
          "[out channels, in channels / groups, kernel height, kernel width]");
      int groups = p.groups(weight);
      return new NirNode.Conv2d(weight,
          p.vectorOfLength("bias", weight.dim(0), "out channels", "weight"),
          p.positives("stride", 2), p.padding("padding", 2), p.positives("dilation", 2), groups,
          p.optionalPositives("input_shape", 2));
    }

    private static NirNode flatten(Params p) {
      List<Integer> inputType = p.shapeVector("input_type");
      int start = p.integer("start_dim");
      int end = p.integer("end_dim");
      int rank = inputType.size();
      int s = start < 0 ? start + rank : start;
      int e = end < 0 ? end + rank : end;
      if (s < 0 || s >= rank || e < 0 || e >= rank || s > e) {
        throw p.site.fail("start_dim " + start + " and end_dim " + end
                + " do not select dimensions of an input of shape " + inputType,
            "use dimensions within the input's rank " + rank + ", start_dim before end_dim");
      }
      return new NirNode.Flatten(inputType, start, end);
    }
  }

  /** Where in the file a problem is: the node's name (null for the top graph) and HDF5 path. */
  private record Site(Path file, String name, String path, HdfModelFile model) {
    QuenchException fail(String what, String todo) {
      String where = name == null ? "top graph at " + MessageText.shown(path)
          : "node '" + MessageText.shown(name) + "' at " + MessageText.shown(path);
      return new QuenchException(file + ": " + where + ": " + what + "; " + todo);
    }

    String typeOf(Group group) {
      if (!(group.getChildren().get("type") instanceof Dataset d)) {
        throw fail("has no 'type' dataset", "every NIR node stores its type as a string");
      }
      if (d.getJavaType() != String.class || d.getSize() != 1) {
        throw fail("'type' is not a single string", "every NIR node stores its type as a string");
      }
      return clean(String.valueOf(((Object[]) read(d, "type"))[0]));
    }

    /** The dataset's values as jhdf's flat array, with read failures located. */
    Object read(Dataset d, String key) {
      String tooLarge = model.sizeProblem(d);
      if (tooLarge != null) {
        throw fail("cannot read '" + key + "': " + tooLarge,
            "the file is damaged (a size field is wrong); export it again");
      }
      try {
        return d.getDataFlat();
      } catch (RuntimeException e) {
        if (!fromJhdf(e)) {
          throw e;
        }
        throw fail("cannot read '" + key + "' (" + MessageText.firstLine(e) + ")",
            "the file may be corrupt or use an HDF5 filter other than gzip; export it again");
      }
    }
  }

  /** Reads and checks the parameters of one node. */
  private static final class Params {
    final Site site;
    private final Group group;
    private final String type;

    Params(Site site, Group group, String type) {
      this.site = site;
      this.group = group;
      this.type = type;
    }

    private Optional<Dataset> dataset(String key) {
      Node child = group.getChildren().get(key);
      if (child == null) {
        return Optional.empty();
      }
      if (child instanceof Group g) {
        // NIR 1.x writes some shapes as a group {"input": ...} (e.g. Flatten's input_type)
        if (g.getChildren().size() == 1 && g.getChildren().values().iterator().next()
            instanceof Dataset only) {
          return Optional.of(only);
        }
        throw site.fail("parameter '" + key + "' is a group, expected a dataset",
            "store the parameter as an array");
      }
      if (!(child instanceof Dataset d)) {
        throw site.fail("parameter '" + key + "' is a " + child.getType() + ", expected a dataset",
            "store the parameter as an array");
      }
      return Optional.of(d);
    }

    private Optional<NirTensor> optionalTensor(String key) {
      return dataset(key).map(d -> toTensor(d, key));
    }

    NirTensor tensor(String key) {
      return optionalTensor(key).orElseThrow(() -> site.fail(
          "missing required parameter '" + key + "' of this " + type + " node",
          "re-export the model with nir.write, which writes it"));
    }

    NirTensor tensorOr(String key, double absent) {
      return optionalTensor(key).orElseGet(() -> NirTensor.scalar(absent));
    }

    private NirTensor toTensor(Dataset d, String key) {
      if (d.getJavaType() == String.class) {
        throw site.fail("parameter '" + key + "' holds text, expected numbers",
            "store the parameter as a numeric array");
      }
      int[] shape = d.isScalar() ? new int[0] : d.getDimensions();
      Object flat = site.read(d, key);
      double[] values = toDoubles(flat, key);
      long expected = 1;
      for (int dim : shape) {
        expected *= dim;
      }
      if (values.length != expected) {
        throw site.fail("parameter '" + key + "' holds " + values.length
            + " values for shape " + Arrays.toString(shape), "export the model again");
      }
      for (int i = 0; i < values.length; i++) {
        if (!Double.isFinite(values[i])) {
          throw site.fail("parameter '" + key + "' element " + i + " is " + values[i],
              "NaN and infinite parameters cannot be deployed; check the training run or the"
                  + " exporter");
        }
      }
      return NirTensor.of(values, shape);
    }

    private double[] toDoubles(Object flat, String key) {
      if (flat instanceof double[] a) {
        return a;
      }
      double[] out;
      if (flat instanceof float[] a) {
        out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          out[i] = a[i];
        }
      } else if (flat instanceof long[] a) {
        out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          out[i] = a[i];
        }
      } else if (flat instanceof int[] a) {
        out = Arrays.stream(a).asDoubleStream().toArray();
      } else if (flat instanceof short[] a) {
        out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          out[i] = a[i];
        }
      } else if (flat instanceof byte[] a) {
        out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          out[i] = a[i];
        }
      } else if (flat instanceof Object[] a && Arrays.stream(a).allMatch(o -> o instanceof Number)) {
        // empty datasets, and unsigned 64-bit integers (BigInteger)
        out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
          out[i] = a[i] instanceof BigInteger b ? b.doubleValue() : ((Number) a[i]).doubleValue();
        }
      } else {
        throw site.fail("parameter '" + key + "' has an element type this reader cannot use ("
            + flat.getClass().getSimpleName() + ")", "store it as float32, float64 or int64");
      }
      return out;
    }

    /** A parameter that must be 2-D [out, in]. */
    NirTensor matrix(String key) {
      NirTensor t = tensor(key);
      requireRank(key, t, 2, "[out, in]");
      return t;
    }

    void requireRank(String key, NirTensor t, int rank, String layout) {
      if (t.rank() != rank) {
        throw site.fail("parameter '" + key + "' must be " + rank + "-D " + layout
            + " but has shape " + Arrays.toString(t.shape()), "check the exporter");
      }
    }

    /** A 1-D parameter of a given length, a 0-d value being broadcast to it. */
    NirTensor vectorOfLength(String key, int length, String what, String from) {
      NirTensor t = tensor(key);
      if (t.rank() == 0) {
        double[] filled = new double[length];
        Arrays.fill(filled, t.get(0));
        return NirTensor.of(filled, length);
      }
      if (t.rank() != 1 || t.size() != length) {
        throw site.fail("parameter '" + key + "' has shape " + Arrays.toString(t.shape())
            + " but must have length " + length + " (the " + what + " of '" + from + "')",
            "check the exporter");
      }
      return t;
    }

    int groups(NirTensor weight) {
      int groups = integer("groups");
      if (groups < 1 || weight.dim(0) % groups != 0) {
        throw site.fail("groups is " + groups + " but must be positive and divide the "
            + weight.dim(0) + " out channels", "check the exporter");
      }
      return groups;
    }

    /** A single integer stored 0-d or size-1. */
    int integer(String key) {
      NirTensor t = tensor(key);
      if (!t.isSingleValue()) {
        throw site.fail("parameter '" + key + "' must be one integer but has shape "
            + Arrays.toString(t.shape()), "check the exporter");
      }
      return toInt(key, t, 0);
    }

    private int toInt(String key, NirTensor t, int i) {
      double v = t.get(i);
      if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
        throw site.fail("parameter '" + key + "' element " + i + " is " + v
            + ", expected an integer", "check the exporter");
      }
      return (int) v;
    }

    /** A shape: a 1-D vector (or one 0-d value) of positive integers. */
    List<Integer> shapeVector(String key) {
      NirTensor t = tensor(key);
      if (t.rank() > 1 || t.size() == 0) {
        throw site.fail("parameter '" + key + "' must be a 1-D list of sizes but has shape "
            + Arrays.toString(t.shape()), "check the exporter");
      }
      return checked(key, t, 1);
    }

    /** Integers for each of {@code dims} spatial dimensions; one value is used for all. */
    List<Integer> positives(String key, int dims) {
      return spatial(key, tensor(key), dims, 1);
    }

    List<Integer> nonNegatives(String key, int dims) {
      return spatial(key, tensor(key), dims, 0);
    }

    Optional<List<Integer>> optionalPositives(String key, int dims) {
      return optionalTensor(key).map(t -> spatial(key, t, dims, 1));
    }

    private List<Integer> spatial(String key, NirTensor t, int dims, int min) {
      if (t.rank() > 1 || (!t.isSingleValue() && t.size() != dims)) {
        throw site.fail("parameter '" + key + "' must be one integer or " + dims
            + " (one per spatial dimension) but has shape " + Arrays.toString(t.shape()),
            "check the exporter");
      }
      List<Integer> values = checked(key, t, min);
      if (values.size() == 1 && dims > 1) {
        return Collections.nCopies(dims, values.get(0));
      }
      return values;
    }

    private List<Integer> checked(String key, NirTensor t, int min) {
      List<Integer> values = new ArrayList<>(t.size());
      for (int i = 0; i < t.size(); i++) {
        int v = toInt(key, t, i);
        if (v < min) {
          throw site.fail("parameter '" + key + "' element " + i + " is " + v
              + " but must be at least " + min, "check the exporter");
        }
        values.add(v);
      }
      return List.copyOf(values);
    }

    NirNode.Padding padding(String key, int dims) {
      Optional<Dataset> d = dataset(key);
      if (d.isPresent() && d.get().getJavaType() == String.class) {
        Object[] text = (Object[]) site.read(d.get(), key);
        String mode = text.length == 1 ? clean(String.valueOf(text[0])) : "";
        switch (mode) {
          case "same":
            return new NirNode.Padding(NirNode.PaddingMode.SAME, List.of());
          case "valid":
            return new NirNode.Padding(NirNode.PaddingMode.VALID,
                Collections.nCopies(dims, 0));
          default:
            throw site.fail("parameter '" + key + "' is '" + MessageText.shown(mode) + "'",
                "padding is an integer, one integer per spatial dimension, 'same' or 'valid'");
        }
      }
      return new NirNode.Padding(NirNode.PaddingMode.EXPLICIT, nonNegatives(key, dims));
    }

    NirTensor timeConstant(String key) {
      NirTensor t = tensor(key);
      for (int i = 0; i < t.size(); i++) {
        if (t.get(i) <= 0) {
          throw site.fail("parameter '" + key + "' element " + i + " is " + t.get(i)
                  + " but a time constant must be positive (seconds)",
              "check the exporter; a zero or negative time constant has no dynamics");
        }
      }
      return t;
    }

    NirTensor nonNegativeTensor(String key) {
      NirTensor t = tensor(key);
      for (int i = 0; i < t.size(); i++) {
        if (t.get(i) < 0) {
          throw site.fail("parameter '" + key + "' element " + i + " is " + t.get(i)
              + " but must not be negative", "check the exporter");
        }
      }
      return t;
    }

    /** Checks that the per-neuron parameters of a neuron node agree on one shape. */
    NirNode neuron(NirNode.Neuron node) {
      String shaped = null;
      int[] shape = null;
      for (Map.Entry<String, NirTensor> e : node.parameters().entrySet()) {
        NirTensor t = e.getValue();
        if (t.isSingleValue()) {
          continue;
        }
        if (shape == null) {
          shaped = e.getKey();
          shape = t.shape();
        } else if (!Arrays.equals(shape, t.shape())) {
          throw site.fail("parameter '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                  + " but '" + shaped + "' has shape " + Arrays.toString(shape),
              "the parameters of a neuron node are one value each or one per neuron, all of one"
                  + " shape");
        }
      }
      return node;
    }
  }
}
