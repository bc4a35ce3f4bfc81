package org.quench.hal;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for console output (inspect, devices, verify): columns padded to their
 * widest cell, numbers right-aligned, the header as the first row.
 */
public final class TextTable {
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] numeric;

  /** A table with these column headers. */
  public TextTable(String... header) {
    rows.add(header);
    numeric = new boolean[header.length];
  }

  /** Marks columns whose cells are right-aligned (numbers). */
  public TextTable rightAligned(int... columns) {
    for (int c : columns) {
      numeric[c] = true;
    }
    return this;
  }

  /** Appends a row; null or missing cells are blank. */
  public TextTable row(Object... cells) {
    String[] text = new String[numeric.length];
    for (int c = 0; c < text.length; c++) {
      text[c] = c < cells.length && cells[c] != null ? String.valueOf(cells[c]) : "";
    }
    rows.add(text);
    return this;
  }

  /** The table, each line starting with {@code indent}, trailing blanks stripped. */
  public void appendTo(StringBuilder out, String indent) {
    int[] width = new int[numeric.length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int c = 0; c < r.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        String pad = " ".repeat(width[c] - r[c].length());
        line.append(numeric[c] ? pad + r[c] : r[c] + pad);
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
  }
}
