package org.quench.board;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.quench.hal.ChipImages;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.board.proto.ImageChunk;
import org.quench.board.proto.ImageHeaderChunk;
import org.quench.board.proto.LoadImageReply;

/**
 * One LoadImage stream: collects the chunks of an image's binary form, checks size and SHA-256,
 * then loads it under the caller's lease. The declared size is checked against the board's image
 * limit (as an unsigned 64-bit number) but never allocated up front: the buffer grows as data
 * arrives, each growth reserved from the board's {@link UploadBudget} first.
 */
final class ImageUpload implements StreamObserver<ImageChunk> {
  private final BoardService board;
  private final StreamObserver<LoadImageReply> reply;
  private HostedDevice device;
  private ImageHeaderChunk header;
  private byte[] bytes = new byte[0];
  private long declared;
  private int received;
  private long reserved;
  private boolean finished;
  private final long connection;

  /** The first buffer; it doubles from here as chunks arrive, up to the declared size. */
  static final int INITIAL_BUFFER = 64 << 10;

  ImageUpload(BoardService board, StreamObserver<LoadImageReply> reply, long connection) {
    this.board = board;
    this.reply = reply;
    this.connection = connection;
  }

  @Override
  public void onNext(ImageChunk chunk) {
    if (finished) {
      return;
    }
    try {
      accept(chunk);
    } catch (RuntimeException e) {
      finished = true;
      free();
      reply.onError(BoardService.status(e));
    }
  }

  /** Drops the buffer and gives its bytes back to the board. */
  private void free() {
    bytes = null;
    board.uploads.release(connection, reserved);
    reserved = 0;
  }

  private void accept(ImageChunk chunk) {
    if (header == null) {
      if (!chunk.hasHeader()) {
        throw BoardCodec.invalid("the first image chunk must carry the header");
      }
      ImageHeaderChunk h = chunk.getHeader();
      board.requireOpen();
      HostedDevice d = board.device(h.getDevice());
      d.checkLease(h.getLeaseId());
      // uint64 on the wire: 2^63 and above arrive as negative longs.
      if (h.getTotalSize() < 0 || h.getTotalSize() > board.limits.maxImageBytes()) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("an image of "
            + Long.toUnsignedString(h.getTotalSize()) + " bytes exceeds this board's limit of "
            + board.limits.maxImageBytes() + " bytes").asRuntimeException();
      }
      if (!h.getSha256().matches("[0-9a-f]{64}")) {
        throw BoardCodec.invalid("the image header's sha256 must be 64 lower-case hex digits");
      }
      header = h;
      device = d;
      declared = h.getTotalSize();
    } else if (chunk.hasHeader()) {
      throw BoardCodec.invalid("only the first image chunk may carry a header");
    }
    if (chunk.getOffset() != received) {
      throw BoardCodec.invalid("image chunk at offset " + chunk.getOffset() + ", expected "
          + received + "; send chunks in order, without gaps or overlap");
    }
    int n = chunk.getData().size();
    if (n > declared - received) {
      throw BoardCodec.invalid("image chunks run past the declared size of " + declared
          + " bytes");
    }
    if (received + n > bytes.length) {
      grow(received + n);
    }
    chunk.getData().copyTo(bytes, received);
    received += n;
  }

  /** Enlarges the buffer to hold at least {@code needed} bytes, reserving the growth first. */
  private void grow(int needed) {
    long capacity = Math.min(declared, Math.max(needed,
        Math.max(INITIAL_BUFFER, 2L * bytes.length)));
    board.uploads.reserve(connection, capacity - bytes.length);
    reserved += capacity - bytes.length;
    bytes = java.util.Arrays.copyOf(bytes, (int) capacity);
  }

  @Override
  public void onError(Throwable t) {
    finished = true;
    free();
  }

  @Override
  public void onCompleted() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      reply.onNext(load());
      reply.onCompleted();
    } catch (RuntimeException e) {
      reply.onError(BoardService.status(e));
    } finally {
      free();
    }
  }

  private LoadImageReply load() {
    if (header == null) {
      throw BoardCodec.invalid("no image chunks were sent");
    }
    if (received != declared) {
      throw BoardCodec.invalid("received " + received + " image bytes of the declared "
          + declared + "; the upload was cut short");
    }
    if (bytes.length != received) {
      bytes = java.util.Arrays.copyOf(bytes, received);
    }
    String sha = ChipImages.sha256(bytes);
    if (!sha.equals(header.getSha256())) {
      throw BoardCodec.invalid("the image's SHA-256 is " + sha + " but the header declared "
          + header.getSha256() + "; the image was corrupted on the way, send it again");
    }
    ChipImage image;
    try {
      image = ChipImages.fromBytes(bytes, "uploaded image");
    } catch (QuenchException e) {
      throw BoardCodec.invalid(e.getMessage());
    }
    synchronized (device) {
      device.checkLease(header.getLeaseId());
      device.device.load(image);
      device.imageLoaded();
    }
    return LoadImageReply.newBuilder().setTime(0).setSha256(sha).build();
  }
}
