package org.quench.runtime.campaign;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.QuenchException;

/**
 * The per-chip CSV of a campaign, and the merge of campaign parts.
 *
 * <p>Format: lines starting with {@code #} carry the campaign's facts as {@code # key=value}
 * (always {@code fingerprint}, see {@link MismatchCampaign#fingerprint()}); then the header
 * {@value #HEADER}; then one row per chip. Numbers are written so that they read back to the same
 * double; an unmeasured metric is an empty field. A variability level that contains a comma or a
 * quote is quoted as in RFC 4180.
 *
 * <p>Parts of one campaign (say {@code --serials 1-500} and {@code --serials 501-1000} run on two
 * machines) merge when their fingerprints agree: rows are united, a chip present in two parts
 * must have equal results there, and the merged rows are ordered by level, compensation, serial.
 */
public final class CampaignCsv {
  /** The column header. */
  public static final String HEADER =
      "serial,variability,compensated,correlation,agreement,accuracy,rate,rate_error,nrmse,output_spikes";

  /**
   * A campaign's rows with its facts.
   *
   * @param facts {@code # key=value} lines in order (fingerprint included)
   * @param results chip rows
   */
  public record Table(Map<String, String> facts, List<ChipResult> results) {
    /** The fingerprint fact. */
    public String fingerprint() {
      return facts.getOrDefault("fingerprint", "");
    }
  }

  private CampaignCsv() {}

  /** Writes {@code facts} and {@code results} to {@code file}. */
  public static void write(Path file, Map<String, String> facts, List<ChipResult> results) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        w.write("# quench mismatch campaign: one row per chip (docs/mismatch-campaigns.md)\n");
        for (Map.Entry<String, String> f : facts.entrySet()) {
          if (f.getKey().contains("=") || f.getValue().contains("\n")) {
            throw new IllegalArgumentException("fact " + f.getKey() + " cannot be written to CSV");
          }
          w.write("# " + f.getKey() + "=" + f.getValue() + "\n");
        }
        w.write(HEADER + "\n");
        for (ChipResult r : results) {
          w.write(row(r));
          w.write('\n');
        }
      }
    } catch (IOException e) {
      throw new QuenchException("cannot write campaign CSV " + file + ": " + e.getMessage(), e);
    }
  }

  /** One chip as a CSV row (no line end). */
  public static String row(ChipResult r) {
    return r.serial() + "," + quote(r.variability()) + "," + r.compensated() + "," + num(r.correlation())
        + "," + num(r.agreement()) + "," + num(r.accuracy()) + "," + num(r.rate()) + ","
        + num(r.rateError()) + "," + num(r.nrmse()) + "," + r.outputSpikes();
  }

  /** Reads a campaign CSV written by {@link #write}. */
  public static Table read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new QuenchException("campaign CSV " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read campaign CSV " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> facts = new LinkedHashMap<>();
    List<ChipResult> results = new ArrayList<>();
    boolean header = false;
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n);
      String where = file + " line " + (n + 1);
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          facts.put(line.substring(1, eq).strip(), line.substring(eq + 1));
        }
        continue;
      }
      if (!header) {
        if (!line.strip().equals(HEADER)) {
          throw new QuenchException(where + ": expected the campaign header '" + HEADER
              + "'; is this a quench mismatch CSV?");
        }
        header = true;
        continue;
      }
      results.add(parseRow(line, where));
    }
    if (!header) {
      throw new QuenchException(file + " has no campaign header '" + HEADER
          + "'; is this a quench mismatch CSV?");
    }
    if (!facts.containsKey("fingerprint")) {
      throw new QuenchException(file + " has no '# fingerprint=' line; it cannot be merged safely");
    }
    return new Table(facts, results);
  }

  /**
   * Merges campaign parts: equal fingerprints required, duplicate chips must agree. Facts come from
   * the first part.
   */
  public static Table merge(List<Path> files) {
    if (files.isEmpty()) {
      throw new QuenchException("--merge needs at least one campaign CSV");
    }
    Table first = null;
    Path firstFile = null;
    Map<ChipResult.ChipKey, ChipResult> rows = new LinkedHashMap<>();
    Map<ChipResult.ChipKey, Path> origin = new LinkedHashMap<>();
    for (Path f : files) {
      Table t = read(f);
      if (first == null) {
        first = t;
        firstFile = f;
      } else if (!first.fingerprint().equals(t.fingerprint())) {
        throw new QuenchException("cannot merge " + f + " with " + firstFile + ": they are parts of"
            + " different campaigns (fingerprint " + abbreviate(t.fingerprint()) + " vs "
            + abbreviate(first.fingerprint()) + "; image, inputs, labels or readout differ)");
      }
      for (ChipResult r : t.results()) {
        ChipResult seen = rows.putIfAbsent(r.key(), r);
        if (seen != null && !seen.equals(r)) {
          throw new QuenchException("chip " + r.serial() + " (" + r.variability()
              + (r.compensated() ? ", compensated" : "") + ") has different results in "
              + origin.get(r.key()) + " and " + f + "; a chip run is deterministic, so one file was"
              + " produced by another version or edited");
        }
        origin.putIfAbsent(r.key(), f);
      }
    }
    List<ChipResult> merged = new ArrayList<>(rows.values());
    List<String> levels = new ArrayList<>();
    for (ChipResult r : merged) {
      if (!levels.contains(r.variability())) {
        levels.add(r.variability());
      }
    }
    merged.sort(Comparator.<ChipResult>comparingInt(r -> levels.indexOf(r.variability()))
        .thenComparing(ChipResult::compensated).thenComparingLong(ChipResult::serial));
    return new Table(first.facts(), merged);
  }

  /** Parses one row written by {@link #row}; {@code where} names it in errors. */
  public static ChipResult parseRow(String line, String where) {
    List<String> f = split(line, where);
    if (f.size() != 10) {
      throw new QuenchException(where + ": expected 10 fields (" + HEADER + "), found " + f.size());
    }
    try {
      long serial = Long.parseLong(f.get(0).strip());
      String compensated = f.get(2).strip();
      if (!compensated.equals("true") && !compensated.equals("false")) {
        throw new QuenchException(where + ": compensated must be true or false, found '" + compensated + "'");
      }
      return new ChipResult(serial, f.get(1), Boolean.parseBoolean(compensated), dbl(f.get(3)),
          dbl(f.get(4)), dbl(f.get(5)), dbl(f.get(6)), dbl(f.get(7)), dbl(f.get(8)),
          Long.parseLong(f.get(9).strip()));
    } catch (NumberFormatException e) {
      throw new QuenchException(where + ": not a number (" + e.getMessage() + ")");
    }
  }

  private static List<String> split(String line, String where) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new QuenchException(where + ": unterminated quote");
    }
    out.add(cur.toString());
    return out;
  }

  private static String quote(String s) {
    if (s.contains(",") || s.contains("\"")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  private static double dbl(String s) {
    String t = s.strip();
    return t.isEmpty() ? Double.NaN : Double.parseDouble(t);
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
