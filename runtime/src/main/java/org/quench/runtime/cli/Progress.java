package org.quench.runtime.cli;

import java.util.function.Consumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar for long work, drawn on stderr, or nothing at all.
 *
 * <p>It is shown only when the user did not ask for {@code --quiet} and stdout is a terminal
 * ({@link System#console()} is non-null): piped or redirected output (scripts, CI, tests) stays
 * free of control characters. Counts are in whatever unit the caller chooses (steps, images, ...).
 * Use it with try-with-resources; every method is a no-op when the bar is hidden.
 */
public final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /** Whether a bar would be drawn: not quiet and stdout is a terminal. */
  public static boolean visible(boolean quiet) {
    return !quiet && System.console() != null;
  }

  /** Starts a bar of {@code total} units named {@code task}; hidden when not {@link #visible}. */
  public static Progress start(String task, long total, boolean quiet) {
    if (!visible(quiet)) {
      return hidden();
    }
    ProgressBar bar = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .clearDisplayOnFinish()
        .build();
    return new Progress(bar);
  }

  /**
   * A bar that hands each frame it draws to {@code frames} instead of a terminal: what a user
   * would see, for tests.
   */
  static Progress drawingTo(String task, long total, Consumer<String> frames) {
    return new Progress(new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setConsumer(new DelegatingProgressBarConsumer(frames))
        .build());
  }

  /** A bar that never draws. */
  public static Progress hidden() {
    return new Progress(null);
  }

  /** Changes the total, for work whose size is known only once it has started. */
  public void resize(long total) {
    if (bar != null) {
      bar.maxHint(total);
    }
  }

  /** Advances by {@code units}. */
  public void stepBy(long units) {
    if (bar != null) {
      bar.stepBy(units);
    }
  }

  /** Sets the absolute position. */
  public void stepTo(long position) {
    if (bar != null) {
      bar.stepTo(position);
    }
  }

  /** A short note shown after the bar (e.g. the current phase). */
  public void note(String message) {
    if (bar != null) {
      bar.setExtraMessage(message);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
