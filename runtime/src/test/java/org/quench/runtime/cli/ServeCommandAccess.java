package org.quench.runtime.cli;

import org.quench.board.BoardServer;
import picocli.CommandLine;

/** Test access to {@code quench serve}'s parsing and start-up from other test packages. */
public final class ServeCommandAccess {
  private final ServeCommand serve = new ServeCommand();

  /** {@code quench serve ARGS}, parsed but not started. */
  public ServeCommandAccess(String... args) {
    new CommandLine(serve).parseArgs(args);
    serve.environment = name -> null;
  }

  /** Starts the board the command line describes, as the command does. */
  public BoardServer start() {
    return serve.start();
  }

  /** The line the command prints first. */
  public String startupLine(BoardServer board) {
    return serve.startupLine(board, true);
  }
}
