package org.quench.compiler.frontend.nir;

import java.util.List;

/**
 * An identity connection of a NIR graph, from {@code source} to {@code target} as the file names
 * them, with each name resolved to a path of node names starting in the graph that holds the edge.
 *
 * <p>A path of one name is a node of that graph. A longer path enters nested graphs: the file's
 * name {@code "sub.input"} for a nested graph node {@code sub} resolves to {@code [sub, input]}.
 * An edge may also name the nested graph node itself ({@code [sub]}), meaning its Input or Output.
 * Several edges into one node are summed; cycles are allowed.
 *
 * <p>Invariant: both paths are non-empty and name existing nodes, every name but the last naming
 * a nested graph.
 */
public record NirEdge(String source, String target, List<String> sourcePath,
    List<String> targetPath) {
  public NirEdge {
    sourcePath = List.copyOf(sourcePath);
    targetPath = List.copyOf(targetPath);
    if (sourcePath.isEmpty() || targetPath.isEmpty()) {
      throw new IllegalArgumentException("edge paths must not be empty");
    }
  }

  /** True when both ends are nodes of the graph holding the edge (no nested-graph path). */
  public boolean isLocal() {
    return sourcePath.size() == 1 && targetPath.size() == 1;
  }
}
