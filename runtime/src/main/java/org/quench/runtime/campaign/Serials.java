package org.quench.runtime.campaign;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.quench.hal.QuenchException;

/**
 * Chip serial lists as the command line writes them: {@code 1-500}, {@code 7}, {@code 1-10,42,90-99}
 * (ranges inclusive, duplicates dropped, order kept). Serial 0 is the nominal chip and is not a
 * campaign member.
 */
public final class Serials {
  /** The largest campaign the command line accepts. */
  public static final long MAX_CHIPS = 10_000_000;

  private Serials() {}

  /** Serials 1..{@code chips}. */
  public static List<Long> first(long chips) {
    if (chips < 1 || chips > MAX_CHIPS) {
      throw new QuenchException("--chips " + chips + " must be between 1 and " + MAX_CHIPS);
    }
    List<Long> list = new ArrayList<>();
    for (long s = 1; s <= chips; s++) {
      list.add(s);
    }
    return list;
  }

  /** Parses a serial list such as {@code 1-500,600}. */
  public static List<Long> parse(String text) {
    Set<Long> out = new LinkedHashSet<>();
    for (String part : text.split(",", -1)) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new QuenchException("--serials '" + text + "' has an empty item; write e.g. 1-500,600");
      }
      int dash = p.indexOf('-', 1);
      long from;
      long to;
      try {
        from = Long.parseLong(dash < 0 ? p : p.substring(0, dash).strip());
        to = dash < 0 ? from : Long.parseLong(p.substring(dash + 1).strip());
      } catch (NumberFormatException e) {
        throw new QuenchException("--serials '" + text + "': '" + p + "' is not a serial or a range"
            + " FIRST-LAST of serials");
      }
      if (from < 1 || to < from) {
        throw new QuenchException("--serials '" + text + "': '" + p + "' must be serials >= 1 with"
            + " FIRST <= LAST (serial 0 is the nominal chip)");
      }
      if (to - from + 1 + out.size() > MAX_CHIPS) {
        throw new QuenchException("--serials '" + text + "' names more than " + MAX_CHIPS + " chips");
      }
      for (long s = from; s <= to; s++) {
        out.add(s);
      }
    }
    return new ArrayList<>(out);
  }
}
