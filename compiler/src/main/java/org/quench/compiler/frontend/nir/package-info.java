/**
 * The NIR front-end's first half: reads a NIR file (the Neuromorphic Intermediate Representation,
 * HDF5) into a faithful, validated in-memory model ({@link
 * org.quench.compiler.frontend.nir.NirGraph}, {@link org.quench.compiler.frontend.nir.NirNode})
 * that a later step lowers to the compiler's network IR. Nothing here discretises or quantises.
 */
package org.quench.compiler.frontend.nir;
