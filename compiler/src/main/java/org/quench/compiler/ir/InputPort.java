package org.quench.compiler.ir;

/**
 * A named place where the host injects spikes (or graded payloads) into the network.
 *
 * @param name unique among the network's ports and populations' output names
 * @param width number of channels (port indices 0..width-1)
 */
public record InputPort(String name, int width) {
  public InputPort {
    Checks.name("an input port", name);
    if (width <= 0) {
      throw new org.quench.hal.QuenchException("input port '" + name + "' has width " + width
          + "; it needs at least one channel");
    }
  }
}
