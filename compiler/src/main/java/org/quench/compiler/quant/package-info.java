/**
 * The quantization mathematics of the compiler: pure numeric building blocks (arrays in, small
 * records out) that the compiler's passes call to turn a float network into the chip's integers,
 * each reporting what was requested and what the chip will realise.
 *
 * <ul>
 *   <li>{@link org.quench.compiler.quant.WeightBits}: the core's weight preparation and Lava's /
 *       lava-dl's weight-bit optimisers, bit for bit.</li>
 *   <li>{@link org.quench.compiler.quant.WeightQuantizer}: float weights to mantissas and exponent
 *       with the least error.</li>
 *   <li>{@link org.quench.compiler.quant.Discretization}: time constants to {@code du}/{@code dv}
 *       and back.</li>
 *   <li>{@link org.quench.compiler.quant.ValueClustering}: optimal 1-D grouping for the per-core
 *       profile budget.</li>
 *   <li>{@link org.quench.compiler.quant.FixedPoint}: thresholds and biases to mantissa/exponent.</li>
 *   <li>{@link org.quench.compiler.quant.OverflowBound}: static bounds on the 24-bit state.</li>
 * </ul>
 *
 * <p>Widths come from {@link org.quench.hal.ChipSpec}; bad input is a
 * {@link org.quench.hal.QuenchException}; everything is deterministic.
 */
package org.quench.compiler.quant;
