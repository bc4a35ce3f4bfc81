package org.quench.runtime.bench;

import org.quench.runtime.work.WorkBytes;
import org.quench.runtime.work.WorkKind;

/**
 * Work that does nothing: an item is a number and its result the same number. Run on a cluster,
 * its time per item is what the cluster layer itself costs per item (encoding, sending in chunks,
 * storing the result, answering), which {@link ClusterOverhead} reports. Registered as a
 * {@link WorkKind} so that workers find it.
 */
public final class EchoWork implements WorkKind<String, Long, Long> {
  /** For {@link java.util.ServiceLoader}. */
  public EchoWork() {}

  @Override
  public String name() {
    return "bench-echo";
  }

  @Override
  public String key(Long item) {
    return Long.toString(item);
  }

  @Override
  public Long run(String context, Long item) {
    return item;
  }

  @Override
  public byte[] encodeContext(String context) {
    return WorkBytes.write(out -> out.writeUTF(context));
  }

  @Override
  public String decodeContext(byte[] bytes) {
    return WorkBytes.read(bytes, "an echo context", in -> in.readUTF());
  }

  @Override
  public byte[] encodeItem(Long item) {
    return WorkBytes.write(out -> out.writeLong(item));
  }

  @Override
  public Long decodeItem(byte[] bytes) {
    return WorkBytes.read(bytes, "an echo item", in -> in.readLong());
  }

  @Override
  public byte[] encodeResult(Long result) {
    return encodeItem(result);
  }

  @Override
  public Long decodeResult(byte[] bytes) {
    return decodeItem(bytes);
  }
}
