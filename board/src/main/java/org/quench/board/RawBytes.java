package org.quench.board;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A gRPC marshaller that passes messages through as raw bytes: the board parses its requests
 * itself with it ({@code RequestParsing}), and a client can send bytes that are no valid request
 * (the fuzz harness, docs/fuzzing.md).
 */
public final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
  /** The one instance. */
  public static final RawBytes MARSHALLER = new RawBytes();

  private RawBytes() {}

  @Override
  public InputStream stream(byte[] value) {
    return new ByteArrayInputStream(value);
  }

  @Override
  public byte[] parse(InputStream stream) {
    try {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
