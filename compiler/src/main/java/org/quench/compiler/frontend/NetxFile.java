package org.quench.compiler.frontend;

import org.quench.hal.MessageText;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.lang.reflect.Array;
import java.util.Arrays;
import org.quench.compiler.frontend.hdf.HdfModelFile;
import org.quench.hal.QuenchException;

/**
 * Typed, checked access to the groups and datasets of one netx file. Every error names the file,
 * the HDF5 path and what was expected, so a user can fix the exporter or the file.
 */
final class NetxFile {
  private final String fileName;
  private final HdfModelFile model;

  NetxFile(String fileName, HdfModelFile model) {
    this.fileName = fileName;
    this.model = model;
  }

  String where(String path) {
    return fileName + ": " + path;
  }

  /** The file and a group's path, without jhdf's trailing slash. */
  String where(Group g) {
    return where(trim(g.getPath()));
  }

  /** The file and the path of {@code name} inside group {@code g}. */
  String where(Group g, String name) {
    return where(path(g, name));
  }

  private static String trim(String p) {
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  Group group(Group parent, String name) {
    Node n = parent.getChild(name);
    if (n == null) {
      throw new QuenchException(where(path(parent, name)) + " is missing: expected a group");
    }
    if (!n.isGroup()) {
      throw new QuenchException(where(n.getPath()) + " is a dataset; expected a group");
    }
    return (Group) n;
  }

  boolean has(Group parent, String name) {
    return parent.getChildren().containsKey(name);
  }

  Dataset dataset(Group parent, String name, String expected) {
    Node n = parent.getChild(name);
    if (n == null) {
      throw new QuenchException(where(path(parent, name)) + " is missing: expected " + expected);
    }
    if (!(n instanceof Dataset d)) {
      throw new QuenchException(where(n.getPath()) + " is a " + (n.isGroup() ? "group"
          : n.getType().toString().toLowerCase(java.util.Locale.ROOT)) + "; expected " + expected);
    }
    return d;
  }

  String string(Group parent, String name) {
    Dataset d = dataset(parent, name, "a string");
    Object flat = flat(d);
    if (flat instanceof String[] s && s.length == 1) {
      return s[0].trim();
    }
    throw new QuenchException(where(d.getPath()) + " holds " + describe(d) + "; expected one string");
  }

  /** Numbers of any integer or float type, flattened in C order. */
  double[] numbers(Group parent, String name, String expected) {
    Dataset d = dataset(parent, name, expected);
    Object flat = flat(d);
    if (flat == null || !flat.getClass().isArray() || flat instanceof String[]) {
      throw new QuenchException(where(d.getPath()) + " holds " + describe(d) + "; expected " + expected);
    }
    int n = Array.getLength(flat);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      Object v = Array.get(flat, i);
      if (v instanceof Number num) {
        out[i] = num.doubleValue();
      } else if (v instanceof Boolean b) {
        out[i] = b ? 1 : 0;
      } else {
        throw new QuenchException(where(d.getPath()) + " holds " + describe(d) + "; expected " + expected);
      }
      if (!Double.isFinite(out[i])) {
        throw new QuenchException(where(d.getPath()) + "[" + i + "] is " + out[i]
            + "; expected finite numbers");
      }
    }
    return out;
  }

  /** Integer values; floats are truncated toward zero as netx's astype(int) does. */
  long[] integers(Group parent, String name, String expected) {
    double[] v = numbers(parent, name, expected);
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      if (Math.abs(v[i]) >= 0x1p31) {
        throw new QuenchException(where(path(parent, name)) + "[" + i + "] is " + v[i]
            + "; values must fit 32-bit integers");
      }
      out[i] = (long) v[i];
    }
    return out;
  }

  /** One integer (a scalar or a one-element dataset). */
  long scalar(Group parent, String name) {
    long[] v = integers(parent, name, "one integer");
    if (v.length != 1) {
      throw new QuenchException(where(path(parent, name)) + " has " + v.length
          + " values; expected one integer");
    }
    return v[0];
  }

  int[] dims(Group parent, String name) {
    Dataset d = dataset(parent, name, "a dataset");
    return d.isScalar() ? new int[0] : d.getDimensions();
  }

  private Object flat(Dataset d) {
    String tooLarge = model.sizeProblem(d);
    if (tooLarge != null) {
      throw new QuenchException(where(d.getPath()) + " cannot be read: " + tooLarge
          + "; the file is damaged (a size field is wrong), export it again");
    }
    try {
      return d.getDataFlat();
    } catch (RuntimeException e) {
      throw new QuenchException(where(d.getPath()) + " cannot be read: " + MessageText.firstLine(e), e);
    }
  }

  private static String describe(Dataset d) {
    return d.getJavaType().getSimpleName() + " of shape " + Arrays.toString(d.getDimensions());
  }

  private static String path(Group parent, String name) {
    String p = parent.getPath();
    return (p.endsWith("/") ? p : p + "/") + name;
  }

  static HdfModelFile open(byte[] bytes, String fileName) {
    try {
      return HdfModelFile.of(bytes);
    } catch (RuntimeException e) {
      if (!HdfModelFile.fromJhdf(e)) {
        throw e;
      }
      throw new QuenchException(fileName + " is not a readable HDF5 file (" + MessageText.firstLine(e)
          + "); a netx network is the .net HDF5 file lava-dl exports", e);
    }
  }
}
