package org.quench.compiler.frontend.hdf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.compiler.frontend.nir.NirReader;
import org.quench.hal.QuenchException;

/**
 * A damaged HDF5 model must be refused from what its headers claim, before anything that large is
 * allocated. The damaged files here are the reader's own zoo fixtures with one dataspace changed:
 * the Affine weight [6, 16] made [12 500 000, 16], which claims 1.6 GB of float64 in a 200 KB file.
 */
class HdfModelFileTest {
  private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final long CLAIMED_ROWS = 12_500_000L;

  @TempDir
  Path dir;

  /** The fixture with every dataspace [6, 16] (dimensions and maximum dimensions) re-dimensioned. */
  private Path withHugeAffineWeight(String fixture) throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("src/test/resources/nir", fixture));
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int patched = 0;
    for (int i = 0; i + 16 <= bytes.length; i++) {
      // a version-1 dataspace message of rank 2 with maximum dimensions: 01 02 01, 5 reserved bytes
      if (b.get(i) == 1 && b.get(i + 1) == 2 && b.get(i + 2) == 1 && i + 40 <= bytes.length
          && b.getLong(i + 8) == 6 && b.getLong(i + 16) == 16) {
        b.putLong(i + 8, CLAIMED_ROWS);
        b.putLong(i + 24, CLAIMED_ROWS);
        patched++;
      }
    }
    assertEquals(1, patched, "the fixture should hold one [6, 16] dataspace");
    return Files.write(dir.resolve("damaged-" + fixture), bytes);
  }

  private static long allocatedBy(Runnable r) {
    long id = Thread.currentThread().getId();
    long before = THREADS.getThreadAllocatedBytes(id);
    r.run();
    return THREADS.getThreadAllocatedBytes(id) - before;
  }

  @Test
  void aCompressedDatasetClaimingMoreThanItsFileIsRefusedBeforeReading() throws IOException {
    Path damaged = withHugeAffineWeight("zoo_new.nir");
    QuenchException[] e = new QuenchException[1];
    long allocated = allocatedBy(() -> e[0] = assertThrows(QuenchException.class,
        () -> NirReader.read(damaged)));
    String m = e[0].getMessage();
    assertTrue(m.startsWith(damaged.toString()), m);
    assertTrue(m.contains("node 'affine'") && m.contains("'weight'"), m);
    assertTrue(m.contains("12500000 x 16 elements of 8 bytes"), m);
    assertTrue(m.contains("even compressed 1032-fold"), m);
    assertFalse(m.contains("\n"), m);
    // the whole read, file included, stays far below the 1.6 GB claimed
    assertTrue(allocated < 64L << 20, "allocated " + (allocated >> 20) + " MiB");
  }

  @Test
  void aContiguousDatasetMustFitInItsFile() throws IOException {
    Path damaged = withHugeAffineWeight("zoo_old.nir");
    String m = assertThrows(QuenchException.class, () -> NirReader.read(damaged)).getMessage();
    assertTrue(m.contains("12500000 x 16 elements of 4 bytes (800000000 bytes), more than a "), m);
    assertFalse(m.contains("compressed"), m);
  }

  @Test
  void theUndamagedFixturesPassTheCheck() throws IOException {
    for (String f : new String[] {"zoo_new.nir", "zoo_old.nir", "real/cnn_sinabs.nir"}) {
      byte[] bytes = Files.readAllBytes(Path.of("src/test/resources/nir", f));
      try (HdfModelFile file = HdfModelFile.of(bytes)) {
        io.jhdf.api.Node affine = file.hdf().getByPath("/node/nodes");
        assertTrue(affine.isGroup(), f);
      }
      NirReader.read(Path.of("src/test/resources/nir", f));
    }
  }
}
