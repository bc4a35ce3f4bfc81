package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link EmulatorDevice#stats()}'s stateBytes against the arrays actually held: every array field
 * of every core, walked by reflection (elements only, references as 4 bytes), except the synapse
 * memory that synapseBytes counts; each worker's scratch once (the cores only borrow them); and of the arrays that
 * point at other cores' bitmaps and values only the references. A field added to the core without
 * its bytes, or a miscounted one, fails here.
 */
class StateBytesTest {
  /** Counted by synapseBytes, or (scratch) once per worker below. */
  private static final Set<String> NOT_STATE = Set.of("words", "rowPtr", "groupOfAxon", "wideWeights", "scratch",
      "sortedAxon", "sortedVal");
  /** Arrays of references into source cores' arrays: the references are this core's, the targets not. */
  private static final Set<String> BORROWED_LEAVES = Set.of("inValues", "spikeBits");

  @Test
  void stateBytesCountEveryArrayOfEveryCoreAndTheScratchOnce() throws Exception {
    int checked = 0;
    for (long seed = 1; seed <= 30; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 4, 70, 10);
      // Every third case on a chip instance, whose cores also hold per-neuron noise.
      String uri = seed % 3 == 0 ? "emu:loihi?serial=7&variability=analog&threads=2" : "emu:loihi?threads=" + (1 + seed % 2);
      try (EmulatorDevice dev = (EmulatorDevice) new EmulatorProvider().open(URI.create(uri))) {
        dev.load(c.image());
        dev.run(c.stimulus());
        long expected = 0;
        Field workersField = EmulatorDevice.class.getDeclaredField("workers");
        workersField.setAccessible(true);
        Field scratchOf = StepWorkers.class.getDeclaredField("scratchOf");
        scratchOf.setAccessible(true);
        Map<int[], Boolean> scratches = new IdentityHashMap<>();
        for (int[][] bySize : (int[][][]) scratchOf.get(workersField.get(dev))) {
          for (int[] s : bySize) {
            if (s != null) {
              scratches.put(s, true);
            }
          }
        }
        // The event buffers, like the scratch, are the workers' and lent to the cores.
        Field eventsOf = StepWorkers.class.getDeclaredField("eventsOf");
        eventsOf.setAccessible(true);
        Map<int[], Boolean> eventBuffers = new IdentityHashMap<>();
        for (int[][] buffers : (int[][][]) eventsOf.get(workersField.get(dev))) {
          for (int[] b : buffers) {
            eventBuffers.put(b, true);
            expected += 4L * b.length;
          }
        }
        for (int i = 0; i < c.image().getCoresCount(); i++) {
          EmulatedCore core = dev.coreForTest(i);
          long held = arrayBytes(core);
          assertEquals(held, core.stateBytes(), "seed " + seed + " core " + i);
          expected += held;
          Field scratch = EmulatedCore.class.getDeclaredField("scratch");
          scratch.setAccessible(true);
          int[] s = (int[]) scratch.get(core);
          if (s != null) {
            // A core only ever borrows a worker's scratch, never holds one of its own.
            assertTrue(scratches.containsKey(s), "seed " + seed + " core " + i + " holds a scratch no worker owns");
            assertTrue(s.length == core.scratchSize(), "seed " + seed + " core " + i + " scratch of the wrong size");
          }
          Field events = EmulatedCore.class.getDeclaredField("sortedAxon");
          events.setAccessible(true);
          int[] lent = (int[]) events.get(core);
          if (lent != null) {
            assertTrue(eventBuffers.containsKey(lent), "seed " + seed + " core " + i + " holds event buffers no worker owns");
          }
          checked++;
        }
        for (int[] s : scratches.keySet()) {
          expected += 4L * s.length;
        }
        // The spike bitmaps: one array per parity for the whole network, shared by every core.
        EmulatedCore first = dev.coreForTest(0);
        for (int i = 0; i < c.image().getCoresCount(); i++) {
          assertTrue(dev.coreForTest(i).spikeBits == first.spikeBits, "seed " + seed + " core " + i + " has its own bitmaps");
        }
        expected += 4L * (first.spikeBits[0].length + first.spikeBits[1].length);
        assertEquals(expected, dev.stats().stateBytes(), "seed " + seed + ": device total");
      }
    }
    assertTrue(checked > 50, checked + " cores checked");
  }

  private static long arrayBytes(EmulatedCore core) throws IllegalAccessException {
    long total = 0;
    for (Field f : EmulatedCore.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) || !f.getType().isArray() || NOT_STATE.contains(f.getName())) {
        continue;
      }
      f.setAccessible(true);
      total += bytes(f.get(core), BORROWED_LEAVES.contains(f.getName()));
    }
    return total;
  }

  private static long bytes(Object array, boolean borrowedLeaves) {
    if (array == null) {
      return 0;
    }
    Class<?> type = array.getClass().getComponentType();
    int length = java.lang.reflect.Array.getLength(array);
    if (!type.isPrimitive()) {
      long b = 4L * length;
      if (type.isArray() && !(borrowedLeaves && type.getComponentType().isPrimitive())) {
        for (int i = 0; i < length; i++) {
          b += bytes(java.lang.reflect.Array.get(array, i), borrowedLeaves);
        }
      }
      return b;
    }
    int size = type == long.class || type == double.class ? 8
        : type == int.class || type == float.class ? 4
        : type == short.class || type == char.class ? 2 : 1;
    return (long) size * length;
  }
}
