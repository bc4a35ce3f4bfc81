package org.quench.runtime.work;

/**
 * A kind of independent work: a shared context {@code C} (set up once per batch: a campaign's
 * image and samples), items {@code I} (one chip, one study row) and their results {@code R}.
 * {@link #run} must be a pure function of (context, item): any thread, process or machine that
 * decoded the same context gives the same result, which is what lets a {@link WorkRunner} spread
 * items over threads or cluster members and resume from stored results.
 *
 * <p>The codecs carry the three across processes: the context once per batch, each item and
 * result as a few bytes. Decoding what was encoded must give back equal values, bit for bit
 * (doubles as their raw bits). Cluster members find a kind by {@link #name()} through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.quench.runtime.work.WorkKind}), so
 * an implementation has a public no-argument constructor and lives on every member's class path.
 * See docs/cluster.md.
 *
 * @param <C> the shared context
 * @param <I> an item
 * @param <R> an item's result
 */
public interface WorkKind<C, I, R> {
  /** A stable, unique name (members look the kind up by it), e.g. {@code mismatch}. */
  String name();

  /** The item's identity within its batch: unique, stable across processes and runs. */
  String key(I item);

  /** Runs one item; thread-safe; a pure function of its arguments. */
  R run(C context, I item);

  /** The context as bytes (sent to each member once per batch). */
  byte[] encodeContext(C context);

  /** The context that {@link #encodeContext} wrote; may do set-up work (it is cached per member). */
  C decodeContext(byte[] bytes);

  /** An item as bytes. */
  byte[] encodeItem(I item);

  /** The item {@link #encodeItem} wrote. */
  I decodeItem(byte[] bytes);

  /** A result as bytes (stored in the cluster, keyed by the item). */
  byte[] encodeResult(R result);

  /** The result {@link #encodeResult} wrote. */
  R decodeResult(byte[] bytes);
}
