package org.quench.board;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Refuses every call whose {@code authorization} header is not {@code Bearer <the token>}. The
 * comparison is of SHA-256 digests with {@link MessageDigest#isEqual}, so its time depends on
 * neither the token's content nor its length; the refusal says nothing about what was wrong.
 */
final class BearerTokenCheck implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String PREFIX = "Bearer ";

  private final byte[] expected;

  BearerTokenCheck(String token) {
    this.expected = digest(token);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    String value = headers.get(AUTHORIZATION);
    String given = value != null && value.startsWith(PREFIX) ? value.substring(PREFIX.length()) : "";
    // Always digest and compare, even for a missing header, so both refusals cost the same.
    boolean ok = MessageDigest.isEqual(expected, digest(given)) && value != null;
    if (!ok) {
      call.close(Status.UNAUTHENTICATED.withDescription("missing or invalid bearer token"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  static byte[] digest(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
