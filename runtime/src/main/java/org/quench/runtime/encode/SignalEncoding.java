package org.quench.runtime.encode;

import java.util.Locale;
import org.quench.hal.QuenchException;

/**
 * An analog-to-spike encoding named on a command line: {@code rate[:MAX_RATE]} (Poisson, signal in
 * [0, 1], MAX_RATE spikes per step at 1, default 1), {@code delta[:THRESHOLD]} (ON/OFF level
 * crossings every THRESHOLD signal units, default 0.1; the port is twice the signal's width) or
 * {@code latency[:WINDOW]} (one spike per channel per WINDOW steps, earlier for stronger input,
 * default 10).
 */
public final class SignalEncoding {
  private SignalEncoding() {}

  /** The encoder {@code text} names; {@code seed} seeds the rate encoder's draws. */
  public static AnalogEncoder parse(String text, long seed) {
    String[] parts = text.split(":", 2);
    String name = parts[0].strip().toLowerCase(Locale.ROOT);
    String arg = parts.length > 1 ? parts[1].strip() : null;
    try {
      return switch (name) {
        case "rate" -> new RateEncoder(arg == null ? 1.0 : Double.parseDouble(arg), seed);
        case "delta" -> new DeltaEncoder(arg == null ? 0.1 : Double.parseDouble(arg), DeltaEncoder.Mode.DELTA);
        case "latency" -> new LatencyEncoder(arg == null ? 10 : Integer.parseInt(arg));
        default -> throw new QuenchException("--encode " + text + ": unknown encoding '" + parts[0]
            + "'; use rate[:MAX_RATE], delta[:THRESHOLD] or latency[:WINDOW]");
      };
    } catch (NumberFormatException e) {
      throw new QuenchException("--encode " + text + ": '" + arg + "' is not a number (e.g. rate:0.5,"
          + " delta:0.05, latency:20)");
    }
  }
}
