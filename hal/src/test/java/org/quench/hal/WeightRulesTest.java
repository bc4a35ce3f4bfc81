package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.quench.hal.proto.SignMode;

/** Weight truncation, clipping and sign-mode tables of docs/chip-semantics.md#golden-vectors. */
class WeightRulesTest {
  private static int[] truncate(SignMode m, int nwb, int... w) {
    int[] out = new int[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = WeightRules.truncate(w[i], m, nwb, ChipSpec.loihi());
    }
    return out;
  }

  private static int[] clip(SignMode m, int bits, int... w) {
    int[] out = new int[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = WeightRules.clip(w[i], m, bits);
    }
    return out;
  }

  @Test
  void truncationDropsLowBitsBySignMode() {
    assertArrayEquals(new int[] {252, 252, 252, 254, 254}, truncate(SignMode.EXCITATORY, 7, 252, 253, 253, 254, 255));
    assertArrayEquals(new int[] {-254, -254, -252, -252, -250},
        truncate(SignMode.INHIBITORY, 7, -255, -254, -253, -252, -251));
    assertArrayEquals(new int[] {-256, -256, -254, 252, 254, 254},
        truncate(SignMode.MIXED, 8, -256, -255, -254, 253, 254, 255));
    assertArrayEquals(new int[] {-256, -256, -256, 252, 252, 252},
        truncate(SignMode.MIXED, 7, -256, -255, -254, 253, 254, 255));
  }

  @Test
  void mixedWithNineBitsKeepsEveryBit() {
    assertArrayEquals(new int[] {-255, 1, 255}, truncate(SignMode.MIXED, 9, -255, 1, 255));
  }

  @Test
  void clippingBySignMode() {
    assertArrayEquals(new int[] {0, 0, 255, 255}, clip(SignMode.EXCITATORY, 8, -1, 0, 255, 256));
    assertArrayEquals(new int[] {-255, -255, -1, 0, 0}, clip(SignMode.INHIBITORY, 8, -256, -255, -1, 0, 1));
    assertArrayEquals(new int[] {-256, -256, 255, 255}, clip(SignMode.MIXED, 8, -257, -256, 255, 256));
    assertArrayEquals(new int[] {-128, -128, 127, 127}, clip(SignMode.MIXED, 7, -129, -128, 127, 128));
  }

  @Test
  void weightBitsOutsideTheSpecAreRefusedWithTheRange() {
    QuenchException e = org.junit.jupiter.api.Assertions.assertThrows(QuenchException.class,
        () -> WeightRules.truncate(1, SignMode.EXCITATORY, 9, ChipSpec.loihi()));
    assertEquals("num_weight_bits 9 is outside 0..8 for sign mode EXCITATORY on chip 'loihi'",
        e.getMessage());
  }

  @Test
  void automaticSignModeFollowsTheWeights() {
    assertEquals(SignMode.EXCITATORY, WeightRules.resolve(SignMode.SIGN_MODE_AUTO, new int[] {0, 0}, 0, 2));
    assertEquals(SignMode.EXCITATORY, WeightRules.resolve(SignMode.SIGN_MODE_AUTO, new int[0], 0, 0));
    assertEquals(SignMode.INHIBITORY, WeightRules.resolve(SignMode.SIGN_MODE_AUTO, new int[] {0, -1}, 0, 2));
    assertEquals(SignMode.MIXED, WeightRules.resolve(SignMode.SIGN_MODE_AUTO, new int[] {1, -1}, 0, 2));
    assertEquals(SignMode.INHIBITORY, WeightRules.resolve(SignMode.INHIBITORY, new int[] {1, -1}, 0, 2));
  }
}
