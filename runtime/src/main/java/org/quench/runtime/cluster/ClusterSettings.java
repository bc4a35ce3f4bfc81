package org.quench.runtime.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.XmlClientConfigBuilder;
import com.hazelcast.client.config.YamlClientConfigBuilder;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quench.hal.QuenchException;

/**
 * How to reach (or form) a Quench cluster: what {@code --cluster}, {@code --cluster-name},
 * {@code --join-timeout}, {@code --bind} and {@code --port} say. {@code target} is either a
 * Hazelcast configuration file (XML or YAML; a member file serves workers and coordinators alike,
 * a {@code hazelcast-client} file serves coordinators) or a TCP-IP join list
 * {@code host[:port],...}. Whatever the file says, Quench turns phone-home, multicast and
 * auto-detection off and joins by TCP-IP only (docs/cluster.md).
 *
 * @param target a configuration file or a join list; null for a worker alone on this machine
 *     ({@code 127.0.0.1:5701})
 * @param name the cluster name, or null for the file's own (else {@value #DEFAULT_NAME})
 * @param joinTimeoutSeconds how long a coordinator tries to reach the cluster, and waits for a
 *     worker, before giving up
 * @param bind the address a worker listens on, or null: the join list's entry that is an address
 *     of this machine
 * @param port the port a worker listens on, or null: the lowest port the join list gives for the
 *     bind address (trying the listed ones in turn), else 5701
 * @param threads items a worker runs at once
 * @param debug let Hazelcast log as it likes (else: one line per membership event)
 */
public record ClusterSettings(String target, String name, int joinTimeoutSeconds, String bind,
    Integer port, int threads, boolean debug) {
  /** The cluster name when neither the option nor a file gives one. */
  public static final String DEFAULT_NAME = "quench";
  /** Hazelcast's usual member port, used where nothing else gives one. */
  static final int DEFAULT_PORT = 5701;

  public ClusterSettings {
    if (joinTimeoutSeconds < 1) {
      throw new QuenchException("--join-timeout " + joinTimeoutSeconds + " must be at least 1 second");
    }
    if (threads < 1) {
      throw new QuenchException("--threads " + threads + " must be at least 1");
    }
    if (port != null && (port < 1 || port > 65535)) {
      throw new QuenchException("--port " + port + " is not a TCP port (1-65535)");
    }
  }

  /** Settings for a coordinator connecting to {@code target}. */
  public static ClusterSettings coordinator(String target, String name, int joinTimeoutSeconds,
      boolean debug) {
    return new ClusterSettings(target, name, joinTimeoutSeconds, null, null, 1, debug);
  }

  /** Whether {@code target} names a configuration file rather than a join list. */
  boolean isFile() {
    if (target == null) {
      return false;
    }
    String lower = target.toLowerCase(Locale.ROOT);
    return Files.isRegularFile(Path.of(target)) || lower.endsWith(".xml") || lower.endsWith(".yaml")
        || lower.endsWith(".yml");
  }

  /** One {@code host:port} of a join list; port null when the entry has none. */
  record Address(String host, Integer port) {
    @Override
    public String toString() {
      return port == null ? host : host + ":" + port;
    }
  }

  /** The join list's entries. */
  List<Address> joinList() {
    List<Address> list = new ArrayList<>();
    for (String part : target.split(",", -1)) {
      String p = part.strip();
      int colon = p.lastIndexOf(':');
      String host = colon < 0 ? p : p.substring(0, colon).strip();
      if (host.isEmpty() || p.indexOf(':') != colon || host.contains(" ")) {
        throw new QuenchException("--cluster '" + target + "': '" + p + "' is not HOST or HOST:PORT;"
            + " give a join list such as 10.0.0.5:5701,10.0.0.6:5701 or a Hazelcast XML/YAML file");
      }
      Integer port = null;
      if (colon >= 0) {
        try {
          port = Integer.parseInt(p.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
          port = -1;
        }
        if (port < 1 || port > 65535) {
          throw new QuenchException("--cluster '" + target + "': '" + p + "' has no valid port"
              + " (1-65535)");
        }
      }
      list.add(new Address(host, port));
    }
    return list;
  }

  /** The configuration file, checked to exist. */
  private File file() {
    File f = new File(target);
    if (!f.isFile()) {
      throw new QuenchException("--cluster file " + target + " does not exist; give a Hazelcast"
          + " XML/YAML file or a join list HOST:PORT,...");
    }
    return f;
  }

  private boolean isClientFile() {
    try {
      String text = Files.readString(file().toPath(), StandardCharsets.UTF_8);
      return text.contains("hazelcast-client");
    } catch (IOException e) {
      throw new QuenchException("cannot read --cluster file " + target + ": " + e.getMessage());
    }
  }

  /** The member configuration of a worker. */
  Config memberConfig() {
    Config config;
    if (isFile()) {
      if (isClientFile()) {
        throw new QuenchException("--cluster " + target + " is a client configuration"
            + " (hazelcast-client); a worker needs a member configuration (hazelcast:)");
      }
      try {
        config = Config.loadFromFile(file());
      } catch (IOException | RuntimeException e) {
        throw new QuenchException("--cluster " + target + " is not a valid Hazelcast member"
            + " configuration: " + firstLine(e));
      }
      if (name != null) {
        config.setClusterName(name);
      }
      if (!config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()) {
        throw new QuenchException("--cluster " + target + ": enable network.join.tcp-ip and list the"
            + " members' addresses there (Quench clusters join by TCP-IP only; multicast is off)");
      }
      if (bind != null) {
        config.getNetworkConfig().getInterfaces().setEnabled(true).clear().addInterface(bind);
      }
      if (port != null) {
        config.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
      }
    } else {
      config = new Config();
      config.setClusterName(name != null ? name : DEFAULT_NAME);
      NetworkConfig network = config.getNetworkConfig();
      List<Address> members = target == null ? List.of(new Address("127.0.0.1", null)) : joinList();
      String here = bind != null ? bind : localEntry(members);
      List<Integer> ports = new ArrayList<>();
      for (Address a : members) {
        if (a.port() != null && sameHost(a.host(), here)) {
          ports.add(a.port());
        }
      }
      int first = port != null ? port
          : ports.stream().mapToInt(Integer::intValue).min().orElse(DEFAULT_PORT);
      int last = port != null ? port
          : ports.stream().mapToInt(Integer::intValue).max().orElse(DEFAULT_PORT + 2);
      network.setPort(first).setPortAutoIncrement(last > first).setPortCount(last - first + 1);
      network.getInterfaces().setEnabled(true).addInterface(here);
      JoinConfig join = network.getJoin();
      join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(2);
      for (Address a : members) {
        join.getTcpIpConfig().addMember(a.toString());
      }
    }
    NetworkConfig network = config.getNetworkConfig();
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.shutdownhook.policy", "GRACEFUL");
    // A lone first worker waits this long for others before it forms the cluster.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    // Workers started at the same moment may form separate clusters at first; they merge soon.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.setProperty("hazelcast.logging.type", debug ? "jdk" : "none");
    return config;
  }

  /** The client configuration of a coordinator. */
  ClientConfig clientConfig() {
    ClientConfig client;
    if (isFile() && isClientFile()) {
      try {
        String lower = target.toLowerCase(Locale.ROOT);
        client = lower.endsWith(".xml") ? new XmlClientConfigBuilder(target).build()
            : new YamlClientConfigBuilder(target).build();
      } catch (IOException | RuntimeException e) {
        throw new QuenchException("--cluster " + target + " is not a valid Hazelcast client"
            + " configuration: " + firstLine(e));
      }
      if (name != null) {
        client.setClusterName(name);
      }
    } else {
      client = new ClientConfig();
      List<String> addresses = new ArrayList<>();
      if (isFile()) {
        Config member = memberConfig();
        client.setClusterName(member.getClusterName());
        int port = member.getNetworkConfig().getPort();
        int count = member.getNetworkConfig().isPortAutoIncrement()
            ? Math.min(3, member.getNetworkConfig().getPortCount()) : 1;
        for (String m : member.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()) {
          for (String one : m.split("[,; ]+")) {
            if (one.isBlank()) {
              continue;
            }
            if (one.contains(":")) {
              addresses.add(one.strip());
            } else {
              for (int k = 0; k < count; k++) {
                addresses.add(one.strip() + ":" + (port + k));
              }
            }
          }
        }
      } else {
        client.setClusterName(name != null ? name : DEFAULT_NAME);
        for (Address a : target == null ? List.of(new Address("127.0.0.1", DEFAULT_PORT)) : joinList()) {
          addresses.add(a.port() == null ? a.host() + ":" + DEFAULT_PORT : a.toString());
        }
      }
      client.getNetworkConfig().setAddresses(addresses);
    }
    client.getNetworkConfig().setConnectionTimeout(Math.min(5000, joinTimeoutSeconds * 1000));
    client.getConnectionStrategyConfig().getConnectionRetryConfig()
        .setClusterConnectTimeoutMillis(joinTimeoutSeconds * 1000L)
        .setInitialBackoffMillis(200).setMaxBackoffMillis(2000);
    client.setProperty("hazelcast.logging.type", debug ? "jdk" : "none");
    return client;
  }

  /** The first join-list host that is an address of this machine. */
  private String localEntry(List<Address> members) {
    for (Address a : members) {
      if (isLocal(a.host())) {
        return a.host();
      }
    }
    throw new QuenchException("--cluster '" + target + "': none of its addresses is on this machine;"
        + " list this machine's address too, or give --bind ADDRESS (the interface to listen on)");
  }

  private static boolean isLocal(String host) {
    try {
      InetAddress a = InetAddress.getByName(host);
      return a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null;
    } catch (UnknownHostException | SocketException e) {
      return false;
    }
  }

  private static boolean sameHost(String a, String b) {
    if (a.equals(b)) {
      return true;
    }
    try {
      return InetAddress.getByName(a).equals(InetAddress.getByName(b));
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Where the cluster is, for messages. */
  String describe() {
    String n = name != null ? name : DEFAULT_NAME;
    if (target == null) {
      return "cluster '" + n + "' on 127.0.0.1:" + DEFAULT_PORT;
    }
    return (isFile() ? "the cluster of " : "cluster '" + n + "' at ") + target;
  }

  static String firstLine(Throwable e) {
    Throwable t = e;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.strip().lines().findFirst().orElse(m);
  }
}
