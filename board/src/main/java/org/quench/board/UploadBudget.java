package org.quench.board;

import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;

/**
 * The memory image uploads may hold on a board: bytes are reserved as an upload's buffer grows
 * (never from a declared size alone) and given back when the upload ends, however it ends. A
 * reservation beyond the board's total or one connection's share is refused with
 * RESOURCE_EXHAUSTED, so concurrent uploads cannot take the server's heap between them.
 */
final class UploadBudget {
  private final long perBoard;
  private final long perConnection;
  private long held;
  private final Map<Long, Long> byConnection = new HashMap<>();

  UploadBudget(long perBoard, long perConnection) {
    this.perBoard = perBoard;
    this.perConnection = perConnection;
  }

  /** Reserves {@code bytes} for {@code connection} or throws RESOURCE_EXHAUSTED. */
  synchronized void reserve(long connection, long bytes) {
    long mine = byConnection.getOrDefault(connection, 0L);
    if (mine + bytes > perConnection) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("this connection's uploads would hold "
          + (mine + bytes) + " bytes; the board allows " + perConnection + " per connection:"
          + " upload one image at a time").asRuntimeException();
    }
    if (held + bytes > perBoard) {
      throw Status.RESOURCE_EXHAUSTED.withDescription("the board is holding " + held
          + " bytes of uploads and allows " + perBoard + "; retry when other uploads have"
          + " finished").asRuntimeException();
    }
    held += bytes;
    byConnection.put(connection, mine + bytes);
  }

  /** Gives back {@code bytes} reserved for {@code connection}. */
  synchronized void release(long connection, long bytes) {
    if (bytes == 0) {
      return;
    }
    held -= bytes;
    long left = byConnection.getOrDefault(connection, 0L) - bytes;
    if (left <= 0) {
      byConnection.remove(connection);
    } else {
      byConnection.put(connection, left);
    }
  }

  /** Bytes reserved now, all connections together. */
  synchronized long held() {
    return held;
  }
}
