package org.quench.compiler.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quench.hal.QuenchException;

/**
 * A spiking network as the compiler sees it: ordered populations, projections between them (or
 * from host input ports), the input ports, the names of the populations the host reads (each
 * becomes an output port of the same name) and where the network came from.
 *
 * <p>Invariants, checked by {@link Builder#build()}: names are unique (populations and input
 * ports share one name space), every projection's source and target exist and have the sizes the
 * projection was built for, and every output names a population. Immutable.
 */
public final class Network {
  private final String name;
  private final List<Population> populations;
  private final List<Projection> projections;
  private final List<InputPort> inputs;
  private final List<String> outputs;
  private final Provenance provenance;
  private final Map<String, Population> byName;

  private Network(Builder b) {
    this.name = b.name;
    this.populations = List.copyOf(b.populations);
    this.projections = List.copyOf(b.projections);
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.provenance = b.provenance;
    Map<String, Population> m = new LinkedHashMap<>();
    for (Population p : populations) {
      m.put(p.name(), p);
    }
    this.byName = Collections.unmodifiableMap(m);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** A builder holding everything this network holds, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.populations.addAll(populations);
    b.projections.addAll(projections);
    b.inputs.addAll(inputs);
    b.outputs.addAll(outputs);
    b.provenance = provenance;
    return b;
  }

  public String name() {
    return name;
  }

  public List<Population> populations() {
    return populations;
  }

  public List<Projection> projections() {
    return projections;
  }

  public List<InputPort> inputs() {
    return inputs;
  }

  /** Names of the populations whose spikes the host reads, in port order. */
  public List<String> outputs() {
    return outputs;
  }

  public Provenance provenance() {
    return provenance;
  }

  /** The population called {@code name}, or an error listing the known names. */
  public Population population(String name) {
    Population p = byName.get(name);
    if (p == null) {
      throw new QuenchException("network '" + this.name + "' has no population '" + name
          + "'; it has " + byName.keySet());
    }
    return p;
  }

  /** Index of a population in {@link #populations()}, or -1. */
  public int indexOf(String population) {
    for (int i = 0; i < populations.size(); i++) {
      if (populations.get(i).name().equals(population)) {
        return i;
      }
    }
    return -1;
  }

  /** Total neurons over all populations. */
  public long neuronCount() {
    long n = 0;
    for (Population p : populations) {
      n += p.size();
    }
    return n;
  }

  @Override
  public String toString() {
    return "Network[" + name + ": " + populations.size() + " populations, " + projections.size()
        + " projections, inputs " + inputs + ", outputs " + outputs + "]";
  }

  /** Collects the parts in order; {@link #build()} checks the invariants. */
  public static final class Builder {
    private final String name;
    private final List<Population> populations = new ArrayList<>();
    private final List<Projection> projections = new ArrayList<>();
    private final List<InputPort> inputs = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private Provenance provenance = Provenance.none();

    private Builder(String name) {
      Checks.name("a network", name);
      this.name = name;
    }

    public Builder population(Population p) {
      populations.add(p);
      return this;
    }

    public Builder projection(Projection p) {
      projections.add(p);
      return this;
    }

    public Builder input(InputPort port) {
      inputs.add(port);
      return this;
    }

    public Builder output(String population) {
      outputs.add(population);
      return this;
    }

    public Builder provenance(Provenance p) {
      provenance = p == null ? Provenance.none() : p;
      return this;
    }

    /** Replaces the population of the same name (for passes that rewrite dynamics). */
    public Builder replacePopulation(Population p) {
      for (int i = 0; i < populations.size(); i++) {
        if (populations.get(i).name().equals(p.name())) {
          populations.set(i, p);
          return this;
        }
      }
      throw new QuenchException("network '" + name + "' has no population '" + p.name() + "' to replace");
    }

    /** Replaces the projection of the same name. */
    public Builder replaceProjection(Projection p) {
      for (int i = 0; i < projections.size(); i++) {
        if (projections.get(i).name().equals(p.name())) {
          projections.set(i, p);
          return this;
        }
      }
      throw new QuenchException("network '" + name + "' has no projection '" + p.name() + "' to replace");
    }

    public Network build() {
      Map<String, Integer> sizes = new LinkedHashMap<>();
      Map<String, Integer> portWidths = new LinkedHashMap<>();
      for (Population p : populations) {
        if (sizes.put(p.name(), p.size()) != null) {
          throw new QuenchException("network '" + name + "' has two populations named '" + p.name() + "'");
        }
      }
      for (InputPort port : inputs) {
        if (sizes.containsKey(port.name()) || portWidths.put(port.name(), port.width()) != null) {
          throw new QuenchException("network '" + name + "': input port name '" + port.name()
              + "' is already used by a population or another port");
        }
      }
      Set<String> projectionNames = new HashSet<>();
      for (Projection p : projections) {
        if (!projectionNames.add(p.name())) {
          throw new QuenchException("network '" + name + "' has two projections named '" + p.name() + "'");
        }
        Integer sourceSize = p.source().isInputPort() ? portWidths.get(p.source().name())
            : sizes.get(p.source().name());
        if (sourceSize == null) {
          throw new QuenchException("projection '" + p.name() + "' comes from " + p.source()
              + ", which the network does not have");
        }
        if (sourceSize != p.sourceSize()) {
          throw new QuenchException("projection '" + p.name() + "' was built for a source of "
              + p.sourceSize() + " but " + p.source() + " has " + sourceSize);
        }
        Integer targetSize = sizes.get(p.target());
        if (targetSize == null) {
          throw new QuenchException("projection '" + p.name() + "' targets population '" + p.target()
              + "', which the network does not have");
        }
        if (targetSize != p.targetSize()) {
          throw new QuenchException("projection '" + p.name() + "' was built for a target of "
              + p.targetSize() + " but population '" + p.target() + "' has " + targetSize);
        }
      }
      Set<String> seen = new HashSet<>();
      for (String out : outputs) {
        if (!sizes.containsKey(out)) {
          throw new QuenchException("network '" + name + "' outputs population '" + out
              + "', which it does not have");
        }
        if (!seen.add(out)) {
          throw new QuenchException("network '" + name + "' lists output '" + out + "' twice");
        }
      }
      return new Network(this);
    }
  }
}
