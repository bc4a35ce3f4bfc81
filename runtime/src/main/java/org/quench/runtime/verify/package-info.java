/**
 * Verification: a device's spikes against the float reference on the same input
 * ({@link org.quench.runtime.verify.Verification}, {@link org.quench.runtime.verify.VerificationReport})
 * and the {@code quench verify} command ({@link org.quench.runtime.cli.VerifyCommand}).
 */
package org.quench.runtime.verify;
