package org.quench.compiler.report;

/** A minimal JSON writer (objects, arrays, strings, numbers) for the compile report. */
final class JsonText {
  private final StringBuilder out = new StringBuilder();
  private boolean needComma;

  JsonText open(char bracket) {
    comma();
    out.append(bracket);
    needComma = false;
    return this;
  }

  JsonText close(char bracket) {
    out.append(bracket);
    needComma = true;
    return this;
  }

  JsonText key(String k) {
    comma();
    string(k);
    out.append(':');
    needComma = false;
    return this;
  }

  JsonText value(String v) {
    comma();
    string(v);
    needComma = true;
    return this;
  }

  JsonText value(long v) {
    comma();
    out.append(v);
    needComma = true;
    return this;
  }

  JsonText value(double v) {
    comma();
    if (Double.isNaN(v)) {
      out.append("null");
    } else if (Double.isInfinite(v)) {
      out.append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    } else if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      out.append((long) v);
    } else {
      out.append(v);
    }
    needComma = true;
    return this;
  }

  JsonText value(boolean v) {
    comma();
    out.append(v);
    needComma = true;
    return this;
  }

  JsonText nullValue() {
    comma();
    out.append("null");
    needComma = true;
    return this;
  }

  private void comma() {
    if (needComma) {
      out.append(',');
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
