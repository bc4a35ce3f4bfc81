package org.quench.hal;

/**
 * Text from outside (a file's strings, a client's device name, a parser's complaint) as an error
 * message may carry it: one line, bounded, so damaged or hostile input cannot turn a one-line
 * message into a page (docs/fuzzing.md). The one place every module quotes such text from.
 */
public final class MessageText {
  /** Characters of outside text a message quotes before it says how long the rest is. */
  public static final int QUOTED_CHARS = 64;
  /** Characters of a library's own message (a parser's, an HDF5 reader's) a message keeps. */
  public static final int LINE_CHARS = 300;

  private MessageText() {}

  /**
   * {@code text} as a message may quote it: control characters escaped as {@code \xNN}, at most
   * {@value #QUOTED_CHARS} characters and then its full length.
   */
  public static String shown(String text) {
    return shown(text, QUOTED_CHARS);
  }

  /** {@link #shown(String)} with room for {@code max} characters (a list of names, say). */
  public static String shown(String text, int max) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder b = new StringBuilder();
    int i = 0;
    for (; i < text.length() && b.length() < max; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", (int) c));
      } else {
        b.append(c);
      }
    }
    return i == text.length() ? b.toString() : b + "... (" + text.length() + " characters)";
  }

  /** {@code message} cut to {@code max} characters, saying how long it was; null stays null. */
  public static String capped(String message, int max) {
    if (message == null || message.length() <= max) {
      return message;
    }
    return message.substring(0, max) + "... (" + message.length() + " characters)";
  }

  /**
   * What a library said about bad input, as one line: the first line of its message without the
   * wrapped exception's class name some parsers prefix, at most {@value #LINE_CHARS} characters;
   * the exception's simple class name when it said nothing.
   */
  public static String firstLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    int end = m.indexOf('\n');
    String line = (end < 0 ? m : m.substring(0, end)).strip();
    line = line.replaceFirst("^([a-z][a-z0-9_]*\\.)+[A-Za-z0-9_$]*(Exception|Error): ", "");
    return capped(line, LINE_CHARS);
  }
}
