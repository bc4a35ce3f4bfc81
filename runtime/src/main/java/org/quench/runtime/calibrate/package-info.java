/**
 * Calibration through the HAL: measuring a chip instance's per-neuron deviations with nothing but
 * the {@link org.quench.hal.Device} SPI (calibration images, spike and bias injection, probes), so
 * it works alike on an emulated chip, a remote board and a real chip's driver. See
 * docs/variability.md, "Calibration".
 */
package org.quench.runtime.calibrate;
