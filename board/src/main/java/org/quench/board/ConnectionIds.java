package org.quench.board;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerTransportFilter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbers each client connection and tells the board when one closes, so that leases can be tied
 * to the connection that took them: a client that vanishes gives its devices back.
 */
final class ConnectionIds extends ServerTransportFilter implements ServerInterceptor {
  private static final Attributes.Key<Long> ID = Attributes.Key.create("quench-connection-id");
  private final AtomicLong next = new AtomicLong();
  private final BoardService board;

  ConnectionIds(BoardService board) {
    this.board = board;
  }

  @Override
  public Attributes transportReady(Attributes attributes) {
    return attributes.toBuilder().set(ID, next.incrementAndGet()).build();
  }

  @Override
  public void transportTerminated(Attributes attributes) {
    // gRPC passes null for a connection that never became ready (e.g. a failed TLS handshake).
    Long id = attributes == null ? null : attributes.get(ID);
    if (id != null) {
      board.connectionClosed(id);
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Long id = call.getAttributes().get(ID);
    Context context = Context.current().withValue(BoardService.CONNECTION, id == null ? -1L : id);
    return Contexts.interceptCall(context, call, headers, next);
  }
}
