package org.quench.compiler.frontend;

import org.quench.hal.MessageText;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.quench.compiler.frontend.hdf.HdfModelFile;
import org.quench.compiler.frontend.nir.NirGraph;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.frontend.nir.NirLowering;
import org.quench.compiler.frontend.nir.NirReader;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Provenance;
import org.quench.hal.QuenchException;

/**
 * Loads a model file whatever its format, telling them apart by content, not by name: an HDF5
 * file with a {@code /node} group is NIR (lowered with the given import options to a float
 * network), one with a {@code /layer} group is a lava-dl netx network (already fixed point).
 */
public final class Frontends {
  private Frontends() {}

  /** The model formats recognised. */
  public enum Format { NIR, NETX }

  /** Which format {@code file} holds, or an error saying what it looks like instead. */
  public static Format detect(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new QuenchException(file + ": no such file; give the path of a .nir or .net model");
    }
    try (HdfModelFile model = HdfModelFile.of(HdfModelFile.readAll(file, "model file"))) {
      HdfFile hdf = model.hdf();
      if (hdf.getChildren().containsKey("node")) {
        return Format.NIR;
      }
      if (hdf.getChildren().containsKey("layer")) {
        return Format.NETX;
      }
      throw new QuenchException(file + ": an HDF5 file with neither /node (NIR) nor /layer (lava-dl"
          + " netx) at its root (it has " + hdf.getChildren().keySet() + "); give a NIR or netx model");
    } catch (QuenchException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new QuenchException(file + ": not an HDF5 file (" + MessageText.firstLine(e) + "); Quench reads"
          + " NIR (.nir) and lava-dl netx (.net) models, both HDF5", e);
    }
  }

  /** Loads {@code file} as a network; NIR files use {@code nir}, netx files the netx defaults. */
  public static Network load(Path file, NirImportOptions nir) {
    return load(file, nir, NetxReader.Options.defaults());
  }

  /** Loads {@code file} as a network with options for either format. */
  public static Network load(Path file, NirImportOptions nir, NetxReader.Options netx) {
    if (detect(file) == Format.NETX) {
      return NetxReader.read(file, netx);
    }
    NirGraph graph = NirReader.read(file);
    String name = file.getFileName().toString();
    String base = name.endsWith(".nir") ? name.substring(0, name.length() - 4) : name;
    Provenance p = new Provenance(name, sha256(file), List.of("nir: version " + graph.version()
        + ", dt " + nir.dt() + " s, reset " + nir.resetMode() + ", " + nir.discretization()
        + ", recurrence delay " + nir.recurrenceDelay()));
    return NirLowering.lower(graph, base.isBlank() ? "nir" : base, p, nir);
  }

  private static String sha256(Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new QuenchException(file + ": cannot read (" + e.getMessage() + ")", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
