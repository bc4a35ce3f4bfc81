package org.quench.emulator;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.proto.ChipImage;

/**
 * Remembers the last few image objects that passed {@link ImageValidator} for a spec, so that
 * loading the same image on many chip instances (a mismatch campaign opens a device per serial)
 * validates it once. Images are protobuf messages, immutable, so identity is enough; references
 * are weak, so a remembered image does not stay in memory.
 */
final class ValidatedImages {
  private static final int CAPACITY = 4;
  private static final Deque<Entry> RECENT = new ArrayDeque<>();

  private record Entry(WeakReference<ChipImage> image, String specHash) {}

  private ValidatedImages() {}

  /** Validates {@code image} against {@code spec} unless this very object already passed. */
  static void validate(ChipImage image, ChipSpec spec) {
    String hash = spec.hash();
    synchronized (RECENT) {
      for (Iterator<Entry> it = RECENT.iterator(); it.hasNext(); ) {
        Entry e = it.next();
        ChipImage known = e.image.get();
        if (known == null) {
          it.remove();
        } else if (known == image && e.specHash.equals(hash)) {
          return;
        }
      }
    }
    ImageValidator.validate(image, spec);
    synchronized (RECENT) {
      RECENT.addFirst(new Entry(new WeakReference<>(image), hash));
      while (RECENT.size() > CAPACITY) {
        RECENT.removeLast();
      }
    }
  }
}
