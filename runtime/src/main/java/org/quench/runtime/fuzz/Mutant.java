package org.quench.runtime.fuzz;

/** A mutated input and what was done to its seed. */
record Mutant(byte[] bytes, String description) {}
