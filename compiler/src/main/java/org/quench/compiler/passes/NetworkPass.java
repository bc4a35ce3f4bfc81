package org.quench.compiler.passes;

import org.quench.compiler.ir.Network;

/** A pure transformation of a network (discretize, quantize, cluster profiles, ...). */
public interface NetworkPass {
  /** Short name for reports and errors. */
  String name();

  Network apply(Network network, PassContext context);
}
