package org.quench.hal;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
final class TextTable {
  private final List<String[]> rows = new ArrayList<>();
  private final boolean[] numeric;

  TextTable(String... header) {
    rows.add(header);
    numeric = new boolean[header.length];
  }

  /** Marks columns whose cells are right-aligned (numbers). */
  TextTable rightAligned(int... columns) {
    for (int c : columns) {
      numeric[c] = true;
    }
    return this;
  }

  TextTable row(Object... cells) {
    String[] text = new String[numeric.length];
    for (int c = 0; c < text.length; c++) {
      text[c] = c < cells.length && cells[c] != null ? String.valueOf(cells[c]) : "";
    }
    rows.add(text);
    return this;
  }

  /** The table, each line starting with {@code indent}, trailing blanks stripped. */
  void appendTo(StringBuilder out, String indent) {
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
