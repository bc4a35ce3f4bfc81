package org.quench.runtime.fuzz;

/**
 * The outcome of one fuzz case.
 *
 * @param kind the input kind
 * @param index the case number; with the run's seed it reproduces the case exactly
 * @param seedOrigin the corpus file the mutant was made from
 * @param mutation what was done to the seed
 * @param verdict ran, refused or failed
 * @param message the refusal's message, or what went wrong for a failure
 * @param cpuMillis CPU time the case took on its thread
 * @param allocatedBytes bytes the case's thread allocated
 */
public record FuzzCase(FuzzKind kind, int index, String seedOrigin, String mutation, Verdict verdict,
    String message, long cpuMillis, long allocatedBytes) {

  /** How a case ended. */
  public enum Verdict {
    /** The input went all the way through (compiled, or loaded and run). */
    RAN,
    /** Quench refused the input with its own exception and a one-line message. */
    REFUSED,
    /** Anything else: another exception, an unclear message, too slow, too much memory. */
    FAILED
  }

  /** One line for logs: kind, case, verdict, cost and message. */
  public String describe() {
    return kind + " case " + index + " (" + seedOrigin + "; " + mutation + "): " + verdict
        + " in " + cpuMillis + " ms CPU, " + (allocatedBytes >> 20) + " MiB allocated"
        + (message == null ? "" : ": " + message);
  }
}
