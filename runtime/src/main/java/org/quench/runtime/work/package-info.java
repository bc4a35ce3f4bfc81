/**
 * Independent work and where it runs: a {@link org.quench.runtime.work.WorkKind} says how to run,
 * name and ship items of one kind (chips of a mismatch campaign, rows of a study); a
 * {@link org.quench.runtime.work.WorkRunner} runs a list of them on threads of this process
 * ({@link org.quench.runtime.work.ThreadWorkRunner}) or on a cluster
 * ({@code org.quench.runtime.cluster}). See docs/cluster.md.
 */
package org.quench.runtime.work;
