package org.quench.examples.heterogeneity;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.QuenchException;

/**
 * The study's CSV file: a header line, then one line per (task, configuration, seed) with every
 * parameter needed to rerun the row ({@link ReservoirConfig#columns()}) and what it measured.
 * Rows are appended a work item at a time and flushed, so an interrupted study loses at most the
 * items in flight; {@link #read} skips a torn last line and keeps the first copy of a repeated
 * row, which is what resuming needs. No field contains a comma.
 */
final class StudyCsv {
  /** Columns before the configuration's. */
  static final List<String> LEAD = List.of("task", "drive", "family");
  /** Columns after it. */
  static final List<String> RESULT = List.of("seed", "nrmse", "train_nrmse", "lambda", "activity",
      "tau_mean_realised", "tau_cv_realised", "decays_requested", "decays_realised", "tau_error_p95");

  /** One parsed line: its columns by name. */
  record Line(Map<String, String> columns) {
    String get(String name) {
      String v = columns.get(name);
      if (v == null) {
        throw new IllegalArgumentException("no column " + name);
      }
      return v;
    }

    double number(String name) {
      return Double.parseDouble(get(name));
    }

    /** The row's key, as {@link StudyRow#key()} gives it. */
    String key() {
      Map<String, String> config = new LinkedHashMap<>(columns);
      for (String c : LEAD) {
        config.remove(c);
      }
      for (String c : RESULT) {
        config.remove(c);
      }
      return StudyCsv.key(get("task"), config, Long.parseLong(get("seed")));
    }

    ReservoirConfig config() {
      return ReservoirConfig.fromColumns(columns);
    }
  }

  private StudyCsv() {}

  /** The header line's columns. */
  static List<String> header() {
    List<String> h = new ArrayList<>(LEAD);
    h.addAll(ReservoirConfig.rate(1, TauShape.HOMOGENEOUS, 0).columns().keySet());
    h.addAll(RESULT);
    return h;
  }

  /** A canonical text for a configuration number, so equal values give equal keys. */
  static String number(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  static String key(String task, Map<String, String> config, long seed) {
    StringBuilder b = new StringBuilder(task);
    for (Map.Entry<String, String> e : config.entrySet()) {
      b.append('|').append(e.getValue());
    }
    return b.append('|').append(seed).toString();
  }

  /** The CSV line of a row and its result. */
  static String line(StudyRow row, RowResult r) {
    List<String> f = new ArrayList<>();
    f.add(row.task().id());
    f.add(row.task().drive().id());
    f.add(row.task().family());
    f.addAll(row.config().columns().values());
    f.add(Long.toString(row.seed()));
    f.add(Double.toString(r.nrmse()));
    f.add(Double.toString(r.trainNrmse()));
    f.add(Double.toString(r.lambda()));
    f.add(Double.toString(r.activity()));
    f.add(Double.toString(r.tauMeanRealised()));
    f.add(Double.toString(r.tauCvRealised()));
    f.add(Integer.toString(r.decaysRequested()));
    f.add(Integer.toString(r.decaysRealised()));
    f.add(Double.toString(r.tauErrorP95()));
    return String.join(",", f);
  }

  /** Creates the file with its header unless it exists (then checks the header). */
  static void prepare(Path csv) {
    try {
      if (Files.exists(csv) && Files.size(csv) > 0) {
        String first = Files.newBufferedReader(csv, StandardCharsets.UTF_8).readLine();
        if (!String.join(",", header()).equals(first)) {
          throw new QuenchException("study CSV " + csv + " has another header than this version"
              + " writes; move it away or give another --out directory");
        }
        return;
      }
      Path parent = csv.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(csv, String.join(",", header()) + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Appends the lines of one finished work item (one write, then flush). After an interrupted
   * write the file may end inside a line; the new lines then start on a line of their own.
   */
  static synchronized void append(Path csv, List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8,
        StandardOpenOption.APPEND)) {
      w.write((endsInsideALine(csv) ? "\n" : "") + String.join("\n", lines) + "\n");
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean endsInsideALine(Path csv) throws IOException {
    long size = Files.size(csv);
    if (size == 0) {
      return false;
    }
    try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(csv)) {
      java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
      ch.position(size - 1).read(last);
      return last.get(0) != '\n';
    }
  }

  /**
   * The rows of a study CSV by key, first copy kept; lines with the wrong number of fields (a
   * torn line of an interrupted write) are skipped. A missing file has no rows.
   */
  static Map<String, Line> read(Path csv) {
    Map<String, Line> rows = new LinkedHashMap<>();
    if (!Files.exists(csv)) {
      return rows;
    }
    List<String> header = header();
    List<String> lines;
    try {
      lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",", -1);
      if (f.length != header.size() || Arrays.stream(f).anyMatch(String::isEmpty)) {
        continue;
      }
      Map<String, String> cols = new LinkedHashMap<>();
      for (int c = 0; c < f.length; c++) {
        cols.put(header.get(c), f[c]);
      }
      Line line = new Line(cols);
      try {
        Double.parseDouble(line.get("tau_error_p95"));
      } catch (NumberFormatException e) {
        continue; // torn line
      }
      rows.putIfAbsent(line.key(), line);
    }
    return rows;
  }
}
