/**
 * The float reference: {@link org.quench.compiler.reference.ReferenceSimulator} runs a network in
 * double precision with the discrete semantics the lowering and quantizer share, so that what a
 * chip computes can be measured against the network the user trained.
 */
package org.quench.compiler.reference;
