package org.quench.runtime.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts of one kind's cases by verdict, the costliest case, and the failures themselves.
 */
public final class FuzzTally {
  private final FuzzKind kind;
  private int ran;
  private int refused;
  private final List<FuzzCase> failures = new ArrayList<>();
  private long maxCpuMillis;
  private long maxAllocatedBytes;

  /** An empty tally for {@code kind}. */
  public FuzzTally(FuzzKind kind) {
    this.kind = kind;
  }

  /** Counts one case. */
  public void add(FuzzCase c) {
    switch (c.verdict()) {
      case RAN -> ran++;
      case REFUSED -> refused++;
      case FAILED -> failures.add(c);
    }
    maxCpuMillis = Math.max(maxCpuMillis, c.cpuMillis());
    maxAllocatedBytes = Math.max(maxAllocatedBytes, c.allocatedBytes());
  }

  public int ran() {
    return ran;
  }

  public int refused() {
    return refused;
  }

  public List<FuzzCase> failures() {
    return failures;
  }

  public int total() {
    return ran + refused + failures.size();
  }

  /** One line: kind, counts and the costliest case's CPU time and allocation. */
  public String summary() {
    return String.format("%-12s %6d cases: %6d ran, %6d refused, %4d failed; max %5d ms CPU,"
        + " %4d MiB allocated", kind, total(), ran, refused, failures.size(), maxCpuMillis,
        maxAllocatedBytes >> 20);
  }
}
