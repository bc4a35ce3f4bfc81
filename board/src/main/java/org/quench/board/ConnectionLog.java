package org.quench.board;

import org.quench.hal.MessageText;
import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What a board says about connections it drops (garbage bytes, a plaintext client on a TLS port, a
 * peer that vanished): one line per connection, at most {@value #LINES_PER_SECOND} a second with
 * a count of the lines left out, and no stack traces unless asked for. gRPC's Netty transport logs
 * each such connection as "Transport failed" with a full trace; this handler replaces its output.
 */
final class ConnectionLog extends Handler {
  static final int LINES_PER_SECOND = 5;
  private static final String[] LOGGERS = {"io.grpc.netty.NettyServerTransport",
      "io.grpc.netty.NettyServerHandler"};
  private static ConnectionLog installed;

  private final PrintStream out;
  private final boolean traces;
  private long windowStart;
  private int linesInWindow;
  private int suppressed;

  private ConnectionLog(PrintStream out, boolean traces) {
    this.out = out;
    this.traces = traces;
  }

  /**
   * Routes gRPC's transport log through one ConnectionLog writing to {@code out}; with
   * {@code traces} the full traces are printed too (a board's --debug). Replaces the last one.
   */
  static synchronized void install(PrintStream out, boolean traces) {
    ConnectionLog log = new ConnectionLog(out, traces);
    for (String name : LOGGERS) {
      Logger l = Logger.getLogger(name);
      if (installed != null) {
        l.removeHandler(installed);
      }
      l.setUseParentHandlers(false);
      l.addHandler(log);
    }
    installed = log;
  }

  @Override
  public synchronized void publish(LogRecord record) {
    if (record.getLevel().intValue() < Level.INFO.intValue() && !traces) {
      return;
    }
    long now = System.nanoTime();
    if (now - windowStart > 1_000_000_000L) {
      if (suppressed > 0) {
        out.println("quench board: " + suppressed + " more dropped connection(s) not shown");
      }
      windowStart = now;
      linesInWindow = 0;
      suppressed = 0;
    }
    if (linesInWindow >= LINES_PER_SECOND) {
      suppressed++;
      return;
    }
    linesInWindow++;
    Throwable t = record.getThrown();
    String why = t == null ? String.valueOf(record.getMessage())
        : t.getClass().getSimpleName() + ": " + t.getMessage();
    out.println("quench board: dropped a connection: " + MessageText.capped(
        why.strip().replaceAll("\\s*\\R\\s*", " "), BoardCodec.MAX_DESCRIPTION));
    if (traces && t != null) {
      t.printStackTrace(out);
    }
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void close() {}
}
