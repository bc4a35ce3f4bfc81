package org.quench.board;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.BindableService;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.quench.hal.MessageText;

/**
 * Requests are parsed where the board can answer for them: gRPC itself answers bytes that are no
 * valid request with UNKNOWN "Application error processing RPC", which tells a client nothing. The
 * service takes raw bytes, each request is parsed as it arrives, and one that does not parse ends
 * the call with INVALID_ARGUMENT naming the call, the request's number and what is wrong; the
 * service sees a cancelled call, so whatever it holds for it (an upload) is freed.
 */
final class RequestParsing implements ServerInterceptor {
  private RequestParsing() {}

  /** {@code service} taking raw requests and parsing them as described on the class. */
  static ServerServiceDefinition of(BindableService service) {
    return ServerInterceptors.intercept(
        ServerInterceptors.useMarshalledMessages(service.bindService(), RawBytes.MARSHALLER), new RequestParsing());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    AtomicBoolean closed = new AtomicBoolean();
    // The first close wins: once a request is refused here, the service's own answer to the
    // cancellation is dropped.
    ServerCall<Q, R> once = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        if (closed.compareAndSet(false, true)) {
          super.close(status, trailers);
        }
      }
    };
    ServerCall.Listener<Q> service = next.startCall(once, headers);
    String method = call.getMethodDescriptor().getBareMethodName();
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(service) {
      private int received;
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        received++;
        try {
          super.onMessage(message);
        } catch (StatusRuntimeException e) {
          if (!(e.getCause() instanceof InvalidProtocolBufferException bad)) {
            throw e;
          }
          refused = true;
          once.close(Status.INVALID_ARGUMENT.withDescription(method + " request " + received
              + " is not a valid request message: " + MessageText.firstLine(bad)), new Metadata());
          super.onCancel();
        }
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }

      @Override
      public void onComplete() {
        if (!refused) {
          super.onComplete();
        }
      }
    };
  }
}
