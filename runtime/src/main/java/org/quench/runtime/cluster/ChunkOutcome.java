package org.quench.runtime.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;

/**
 * What a member sends back for a {@link ChunkTask}: each item's encoded result (null after a
 * failure), how it got it ({@link #COMPUTED}, {@link #STORED} or {@link #REDUNDANT}), and the
 * first failure's one-line description, if any.
 */
final class ChunkOutcome implements DataSerializable {
  /** Computed by this chunk and stored. */
  static final byte COMPUTED = 0;
  /** Found already stored (a resumed campaign, or a dead member's work). */
  static final byte STORED = 1;
  /** Computed, but an equal result was stored first; the stored one is returned. */
  static final byte REDUNDANT = 2;

  byte[][] results;
  byte[] how;
  String failure;
  String member;

  ChunkOutcome() {}

  ChunkOutcome(int items, String member) {
    results = new byte[items][];
    how = new byte[items];
    this.member = member;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(results.length);
    for (byte[] r : results) {
      out.writeByteArray(r);
    }
    out.writeByteArray(how);
    out.writeString(failure);
    out.writeString(member);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    results = new byte[in.readInt()][];
    for (int i = 0; i < results.length; i++) {
      results[i] = in.readByteArray();
    }
    how = in.readByteArray();
    failure = in.readString();
    member = in.readString();
  }
}
