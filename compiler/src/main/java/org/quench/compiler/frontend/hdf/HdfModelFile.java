package org.quench.compiler.frontend.hdf;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.message.DataLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.quench.hal.QuenchException;

/**
 * An HDF5 file from outside (a model, an input file), held in memory and read through jhdf with
 * the bounds such a file needs (docs/model-formats.md, "Damaged files").
 *
 * <p>Two things keep a damaged file from making the reader allocate more than the file justifies.
 * The file is read whole and handed to jhdf as bytes: jhdf then slices every structure it reads
 * (object headers, heaps, B-tree nodes) out of those bytes, so a length field that claims
 * gigabytes fails as "beyond the end of the file" instead of being allocated first, as jhdf's file
 * channel does. And a dataset's size, the product of its dimensions and its element size, is
 * checked against the file before its data are read: data stored plainly must fit in the file, and
 * compressed chunks expand at most {@value #MAX_EXPANSION}-fold (deflate's limit).
 */
public final class HdfModelFile implements AutoCloseable {
  /** The most deflate (gzip) can expand its input: about 1032 to 1. */
  public static final long MAX_EXPANSION = 1032;
  /** Largest file read: jhdf addresses in-memory files with int offsets. */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
  /** Datasets this small are read whatever the file's size (fill values, tiny files). */
  static final long ALWAYS_READABLE_BYTES = 1 << 16;

  private final HdfFile hdf;
  private final long fileBytes;

  private HdfModelFile(HdfFile hdf, long fileBytes) {
    this.hdf = hdf;
    this.fileBytes = fileBytes;
  }

  /**
   * Opens the bytes of an HDF5 file. Exceptions are jhdf's own (the callers say what the file
   * should have been); use {@link #fromJhdf} to tell them from programming errors.
   */
  public static HdfModelFile of(byte[] bytes) {
    return new HdfModelFile(HdfFile.fromBytes(bytes), bytes.length);
  }

  /**
   * The bytes of {@code file}, for {@link #of}.
   *
   * @param what what the file is meant to be, for messages ("NIR model", "input file")
   * @throws QuenchException when the file is missing, unreadable or too large
   */
  public static byte[] readAll(Path file, String what) {
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new QuenchException(file + ": " + size + " bytes is too large for a " + what
            + " (at most " + MAX_FILE_BYTES + " bytes)");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException(file + ": no such file; check the path of the " + what);
    } catch (IOException e) {
      throw new QuenchException(file + ": cannot read the " + what + " (" + e.getMessage() + ")", e);
    }
  }

  /** The jhdf view of the file. */
  public HdfFile hdf() {
    return hdf;
  }

  /**
   * Why {@code d}'s data cannot be read within the file's bounds, or null when it can. Call before
   * {@code getData}/{@code getDataFlat}: the check reads only the dataset's header.
   */
  public String sizeProblem(Dataset d) {
    long[] dims = d.isScalar() ? new long[0] : d.getDimensionsAsLong();
    long elements = 1;
    for (long dim : dims) {
      if (dim < 0) {
        return "it declares a negative dimension (" + dim + ")";
      }
      if (dim != 0 && elements > Integer.MAX_VALUE / dim) {
        return "it declares " + shape(dims) + " elements, more than any array can hold";
      }
      elements *= dim;
    }
    long elementBytes = Math.max(1, d.getDataType().getSize());
    if (elementBytes > Integer.MAX_VALUE / Math.max(1, elements)) {
      return "it declares " + shape(dims) + " elements of " + elementBytes + " bytes each, more"
          + " than any array can hold";
    }
    long bytes = elements * elementBytes;
    if (bytes <= ALWAYS_READABLE_BYTES) {
      return null;
    }
    boolean chunked = d.getDataLayout() == DataLayout.CHUNKED;
    long limit = chunked ? MAX_EXPANSION * fileBytes : fileBytes;
    if (bytes > limit) {
      return "it declares " + shape(dims) + " elements of " + elementBytes + " bytes (" + bytes
          + " bytes), more than a " + fileBytes + "-byte file can hold" + (chunked
          ? " even compressed " + MAX_EXPANSION + "-fold" : "");
    }
    return null;
  }

  private static String shape(long[] dims) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      b.append(i == 0 ? "" : " x ").append(dims[i]);
    }
    return dims.length == 0 ? "1" : b.toString();
  }

  /**
   * True when jhdf threw {@code e} while decoding the file. A damaged file makes jhdf throw not
   * only HdfException but also arithmetic, buffer and argument errors; those are the user's
   * problem (a bad file) and become QuenchExceptions, while an error raised by Quench's own code
   * stays a programming error.
   */
  public static boolean fromJhdf(RuntimeException e) {
    if (e instanceof HdfException) {
      return true;
    }
    for (StackTraceElement frame : e.getStackTrace()) {
      if (frame.getClassName().startsWith("io.jhdf.")) {
        return true;
      }
      if (frame.getClassName().startsWith("org.quench.")) {
        return false;
      }
    }
    return false;
  }

  @Override
  public void close() {
    hdf.close();
  }
}
