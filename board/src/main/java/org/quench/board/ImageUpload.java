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
 * then loads it under the caller's lease. Memory is bounded by the declared size, which is
 * checked against the board's limit before anything is buffered.
 */
final class ImageUpload implements StreamObserver<ImageChunk> {
  private final BoardService board;
  private final StreamObserver<LoadImageReply> reply;
  private HostedDevice device;
  private ImageHeaderChunk header;
  private byte[] bytes;
  private int received;
  private boolean finished;

  ImageUpload(BoardService board, StreamObserver<LoadImageReply> reply) {
    this.board = board;
    this.reply = reply;
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
      bytes = null;
      reply.onError(BoardService.status(e));
    }
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
      if (h.getTotalSize() > board.limits.maxImageBytes()) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("an image of " + h.getTotalSize()
            + " bytes exceeds this board's limit of " + board.limits.maxImageBytes() + " bytes")
            .asRuntimeException();
      }
      if (!h.getSha256().matches("[0-9a-f]{64}")) {
        throw BoardCodec.invalid("the image header's sha256 must be 64 lower-case hex digits");
      }
      header = h;
      device = d;
      bytes = new byte[(int) h.getTotalSize()];
    } else if (chunk.hasHeader()) {
      throw BoardCodec.invalid("only the first image chunk may carry a header");
    }
    if (chunk.getOffset() != received) {
      throw BoardCodec.invalid("image chunk at offset " + chunk.getOffset() + ", expected "
          + received + "; send chunks in order, without gaps or overlap");
    }
    int n = chunk.getData().size();
    if (n > bytes.length - received) {
      throw BoardCodec.invalid("image chunks run past the declared size of " + bytes.length
          + " bytes");
    }
    chunk.getData().copyTo(bytes, received);
    received += n;
  }

  @Override
  public void onError(Throwable t) {
    finished = true;
    bytes = null;
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
      bytes = null;
    }
  }

  private LoadImageReply load() {
    if (header == null) {
      throw BoardCodec.invalid("no image chunks were sent");
    }
    if (received != bytes.length) {
      throw BoardCodec.invalid("received " + received + " image bytes of the declared "
          + bytes.length + "; the upload was cut short");
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
