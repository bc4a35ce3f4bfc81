package org.quench.runtime.replay;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.quench.board.proto.RecordedRun;
import org.quench.hal.FramedFile;
import org.quench.hal.QuenchException;

/**
 * The on-disk form of a recorded run ({@code .qtrace}): hal's {@link FramedFile} with magic
 * {@code "QTRC"} and frame version {@value #FORMAT_VERSION} around one serialized
 * {@link RecordedRun} protobuf message (board/src/main/proto/quench/board/v1/trace.proto). The
 * frame's length and digest are there because a protobuf cut at a field boundary still parses:
 * without them a truncated trace would replay as a shorter, silently different run.
 */
public final class TraceFile {
  /** The only format version this reader knows (1 was the pre-board-module layout). */
  public static final int FORMAT_VERSION = 2;

  private static final String AGAIN = "record it again with 'quench record'";
  private static final FramedFile FRAME = new FramedFile("QTRC", "Quench trace",
      List.of(FORMAT_VERSION), AGAIN);
  /** How version-1 traces began; they are recognised only to say so. */
  private static final byte[] VERSION_1_MAGIC = "QTRACE\r\n".getBytes(StandardCharsets.US_ASCII);

  private TraceFile() {}

  /** Serializes a run with its frame. */
  public static byte[] toBytes(RecordedRun run) {
    return FRAME.frame(FORMAT_VERSION, run.toByteArray());
  }

  /** Writes a trace file atomically (a temporary file beside it, then a rename). */
  public static void write(RecordedRun run, Path file) {
    FramedFile.writeAtomically(toBytes(run), file, "trace");
  }

  /** Reads and checks a trace file. */
  public static RecordedRun read(Path file) {
    return fromBytes(FramedFile.readAll(file, "trace"), file.toString());
  }

  /** Parses a framed trace; {@code origin} names it in errors. */
  public static RecordedRun fromBytes(byte[] bytes, String origin) {
    if (bytes.length >= VERSION_1_MAGIC.length
        && Arrays.equals(bytes, 0, VERSION_1_MAGIC.length, VERSION_1_MAGIC, 0, VERSION_1_MAGIC.length)) {
      throw new QuenchException("trace " + origin + " has trace format 1, written by an older Quench"
          + " that this one does not read; " + AGAIN);
    }
    if (!FRAME.hasMagic(bytes)) {
      throw new QuenchException("trace " + origin + " is not a Quench trace (no QTRC header); give a"
          + " file written by 'quench record'");
    }
    byte[] payload = FRAME.open(bytes, "trace " + origin).payload();
    try {
      return RecordedRun.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException("trace " + origin + " is malformed: " + e.getMessage() + "; " + AGAIN);
    }
  }
}
