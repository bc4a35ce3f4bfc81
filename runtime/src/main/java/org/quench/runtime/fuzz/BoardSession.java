package org.quench.runtime.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.quench.board.proto.BoardGrpc;
import org.quench.board.proto.GetProfileRequest;
import org.quench.board.proto.ImageChunk;
import org.quench.board.proto.ImageHeaderChunk;
import org.quench.board.proto.LeaseRequest;
import org.quench.board.proto.ListDevicesRequest;
import org.quench.board.proto.PortEventBatch;
import org.quench.board.proto.ProbeKindValue;
import org.quench.board.proto.ProbeSpec;
import org.quench.board.proto.ReadStateRequest;
import org.quench.board.proto.ReleaseRequest;
import org.quench.board.proto.RenewRequest;
import org.quench.board.proto.ResetRequest;
import org.quench.board.proto.RunInput;
import org.quench.board.proto.RunStart;
import org.quench.board.proto.StepBatch;
import org.quench.hal.ChipImages;
import org.quench.hal.proto.ChipImage;

/**
 * What a board client sends, call by call: the requests of each gRPC call as raw bytes, so a
 * mutant can hold anything from a changed field to bytes that are no protobuf at all. A seed is a
 * well-behaved session (list, lease, upload an image, run it, read state, reset, release); the lease
 * id the board grants is not known in advance, so requests carry {@link #LEASE} and the target
 * puts the granted id in its place before sending.
 *
 * <p>File form (fuzz cases only): call count, then per call its {@link Rpc} number, message count
 * and each message as length and bytes (big-endian ints).
 */
record BoardSession(List<Call> calls) {
  /** Stands for the lease id the board grants in this session. */
  static final String LEASE = "lease-granted-by-the-board";

  /** The board's calls, each with its request type. */
  enum Rpc {
    LIST(BoardGrpc.getListDevicesMethod(), ListDevicesRequest.parser()),
    LEASE(BoardGrpc.getLeaseMethod(), LeaseRequest.parser()),
    RENEW(BoardGrpc.getRenewMethod(), RenewRequest.parser()),
    RELEASE(BoardGrpc.getReleaseMethod(), ReleaseRequest.parser()),
    LOAD_IMAGE(BoardGrpc.getLoadImageMethod(), ImageChunk.parser()),
    RUN(BoardGrpc.getRunMethod(), RunInput.parser()),
    READ_STATE(BoardGrpc.getReadStateMethod(), ReadStateRequest.parser()),
    RESET(BoardGrpc.getResetMethod(), ResetRequest.parser()),
    GET_PROFILE(BoardGrpc.getGetProfileMethod(), GetProfileRequest.parser());

    final MethodDescriptor<?, ?> method;
    final Parser<? extends Message> parser;

    Rpc(MethodDescriptor<?, ?> method, Parser<? extends Message> parser) {
      this.method = method;
      this.parser = parser;
    }

    /** The request, if {@code bytes} parse as one. */
    Message parse(byte[] bytes) {
      try {
        return parser.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        return null;
      }
    }
  }

  /** One call and the requests sent on it, in order. */
  record Call(Rpc rpc, List<byte[]> messages) {}

  /** A well-behaved session on {@code device} that uploads and runs {@code image}. */
  static BoardSession of(String device, ChipImage image, int chunkBytes) {
    byte[] bytes = ChipImages.toBytes(image);
    List<Call> calls = new ArrayList<>();
    calls.add(call(Rpc.LIST, ListDevicesRequest.getDefaultInstance()));
    calls.add(call(Rpc.LEASE, LeaseRequest.newBuilder().setDevice(device).setTtlMs(30_000).build()));
    calls.add(call(Rpc.GET_PROFILE, GetProfileRequest.newBuilder().setDevice(device).build()));
    List<byte[]> chunks = new ArrayList<>();
    chunks.add(ImageChunk.newBuilder().setHeader(ImageHeaderChunk.newBuilder().setDevice(device)
        .setLeaseId(LEASE).setTotalSize(bytes.length).setSha256(ChipImages.sha256(bytes))).build().toByteArray());
    for (int at = 0; at < bytes.length; at += chunkBytes) {
      int n = Math.min(chunkBytes, bytes.length - at);
      chunks.add(ImageChunk.newBuilder().setOffset(at).setData(ByteString.copyFrom(bytes, at, n))
          .build().toByteArray());
    }
    calls.add(new Call(Rpc.LOAD_IMAGE, chunks));
    String population = image.getSymbols(image.getSymbolsCount() - 1).getPopulation();
    StepBatch.Builder batch = StepBatch.newBuilder().setSteps(FuzzTargets.RUN_STEPS);
    for (var port : image.getInputsList()) {
      PortEventBatch.Builder events = PortEventBatch.newBuilder().setPort(port.getName());
      for (int t = 0; t < FuzzTargets.RUN_STEPS && port.getWidth() > 0; t++) {
        events.addSteps(t).addIndices(t % port.getWidth());
      }
      batch.addEvents(events);
    }
    List<byte[]> run = new ArrayList<>();
    run.add(RunInput.newBuilder().setStart(RunStart.newBuilder().setDevice(device).setLeaseId(LEASE)
        .addProbes(ProbeSpec.newBuilder().setKind(ProbeKindValue.PROBE_SPIKES)
            .setPopulation(population).setCount(-1))).build().toByteArray());
    run.add(RunInput.newBuilder().setBatch(batch).build().toByteArray());
    run.add(RunInput.newBuilder().setBatch(batch).build().toByteArray());
    calls.add(new Call(Rpc.RUN, run));
    calls.add(call(Rpc.READ_STATE, ReadStateRequest.newBuilder().setDevice(device).setLeaseId(LEASE)
        .setProbe(ProbeSpec.newBuilder().setKind(ProbeKindValue.PROBE_V).setPopulation(population)
            .setCount(-1)).build()));
    calls.add(call(Rpc.RENEW, RenewRequest.newBuilder().setDevice(device).setLeaseId(LEASE).build()));
    calls.add(call(Rpc.RESET, ResetRequest.newBuilder().setDevice(device).setLeaseId(LEASE).build()));
    calls.add(call(Rpc.RELEASE, ReleaseRequest.newBuilder().setDevice(device).setLeaseId(LEASE).build()));
    return new BoardSession(calls);
  }

  private static Call call(Rpc rpc, Message request) {
    List<byte[]> one = new ArrayList<>();
    one.add(request.toByteArray());
    return new Call(rpc, one);
  }

  /**
   * A mutant: mostly one request with one field changed (still a valid protobuf, so it reaches
   * the board's own checks), else one request's bytes damaged, a request of random bytes added,
   * or a request dropped or sent twice.
   */
  BoardSession mutate(SplittableRandom random, StringBuilder what) {
    List<Call> out = new ArrayList<>();
    for (Call c : calls) {
      out.add(new Call(c.rpc(), new ArrayList<>(c.messages())));
    }
    int ci = random.nextInt(out.size());
    Call call = out.get(ci);
    List<byte[]> messages = call.messages();
    int mi = random.nextInt(messages.size());
    what.append(call.rpc()).append(" request ").append(mi).append(": ");
    int choice = random.nextInt(8);
    Message parsed = call.rpc().parse(messages.get(mi));
    if (choice < 5 && parsed != null && FieldMutations.hasFields(parsed)) {
      messages.set(mi, FieldMutations.mutate(parsed, random, what).toByteArray());
    } else if (choice < 6) {
      Mutant m = ByteMutations.mutate(messages.get(mi), random);
      messages.set(mi, m.bytes());
      what.append("bytes: ").append(m.description());
    } else if (choice < 7) {
      byte[] garbage = new byte[random.nextInt(65)];
      for (int i = 0; i < garbage.length; i++) {
        garbage[i] = (byte) random.nextInt(256);
      }
      messages.add(mi, garbage);
      what.append(garbage.length).append(" random bytes sent before it");
    } else if (random.nextBoolean()) {
      messages.remove(mi);
      what.append("not sent");
    } else {
      messages.add(mi, messages.get(mi));
      what.append("sent twice");
    }
    return new BoardSession(out);
  }

  byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(calls.size());
      for (Call c : calls) {
        out.writeInt(c.rpc().ordinal());
        out.writeInt(c.messages().size());
        for (byte[] m : c.messages()) {
          out.writeInt(m.length);
          out.write(m);
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@link #toBytes}'s form; throws on a cut or damaged one rather than sending part of it. */
  static BoardSession fromBytes(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      int n = in.readInt();
      List<Call> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int r = in.readInt();
        if (r < 0 || r >= Rpc.values().length) {
          throw new IllegalArgumentException("not a board session: call " + i + " has rpc number " + r);
        }
        Rpc rpc = Rpc.values()[r];
        int k = in.readInt();
        List<byte[]> messages = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          int length = in.readInt();
          if (length < 0 || length > in.available()) {
            throw new IllegalArgumentException("not a board session: call " + i + " message " + j
                + " is " + length + " bytes, " + in.available() + " left");
          }
          messages.add(in.readNBytes(length));
        }
        calls.add(new Call(rpc, messages));
      }
      return new BoardSession(calls);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
