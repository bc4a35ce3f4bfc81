/**
 * Fuzzing: every kind of input a user or a client can hand Quench (model files, chip images,
 * chip specs, board messages), mutated from a seed corpus and classified as ran, refused with a
 * clear message, or failed. The JUnit suite runs a few hundred seeded cases per kind; {@code quench
 * fuzz} runs as many as a maintainer wants. See docs/fuzzing.md.
 */
package org.quench.runtime.fuzz;
