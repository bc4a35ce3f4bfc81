package org.quench.runtime.work;

/**
 * What one {@link WorkRunner#run} call did with its items. Every item is counted exactly once in
 * {@code resumed + computed}; {@code redundant} counts extra computations whose results were
 * thrown away because an equal result was stored first (a member that died after storing, or two
 * coordinators on one campaign). In-process runs never resume and never compute twice.
 *
 * @param items items in the run
 * @param resumed results found already stored (an interrupted run of the same batch)
 * @param computed results computed by this run and stored
 * @param redundant extra computations of items already stored (not in {@code computed})
 * @param retried chunks of items sent again because the member running them left
 */
public record WorkReport(long items, long resumed, long computed, long redundant, long retried) {
  /** A run of {@code items} items, all computed here. */
  public static WorkReport inProcess(long items) {
    return new WorkReport(items, 0, items, 0, 0);
  }
}
