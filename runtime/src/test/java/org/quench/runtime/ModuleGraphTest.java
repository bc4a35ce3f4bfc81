package org.quench.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the tree shaped like the architecture (README's module table): reads the main sources of
 * every module, finds which {@code org.quench} packages each package refers to (imports and fully
 * qualified names), and checks that modules only point down hal ← {emulator, compiler, board} ←
 * runtime ← examples and that no two packages depend on each other, directly or in a loop.
 * Generated protobuf packages belong to the module whose .proto files declare them.
 */
class ModuleGraphTest {
  /** What each module's main code may refer to (besides itself). */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "hal", Set.of(),
      "emulator", Set.of("hal"),
      "compiler", Set.of("hal"),
      "board", Set.of("hal"),
      "runtime", Set.of("hal", "emulator", "compiler", "board"),
      "examples", Set.of("hal", "emulator", "compiler", "board", "runtime"));

  /**
   * Package cycles tolerated, each as its packages sorted and joined by " <-> ". None today; the
   * list must match exactly, so a new cycle fails, and so does a fixed one still listed here.
   */
  private static final Set<String> KNOWN_CYCLES = Set.of();

  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  /** A reference to a type: lower-case package segments, then a capitalised name. */
  private static final Pattern REFERENCE = Pattern.compile("\\b(org\\.quench(?:\\.[a-z_][\\w]*)*)\\.[A-Z]");
  private static final Pattern JAVA_PACKAGE = Pattern.compile("option\\s+java_package\\s*=\\s*\"([\\w.]+)\"");

  private static Path root;
  /** Package name -> module that holds it. */
  private static final Map<String, String> MODULE_OF = new HashMap<>();
  /** Package -> packages it refers to (other than itself), with one example file per edge. */
  private static final Map<String, Map<String, Path>> EDGES = new TreeMap<>();

  @BeforeAll
  static void readTheTree() throws IOException {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve(".ci/run"))) {
        root = p;
        break;
      }
    }
    assertTrue(root != null, "repository root (README.md and .ci/run) not found above " + here);
    Map<Path, String> packageOfFile = new HashMap<>();
    for (String module : ALLOWED.keySet()) {
      Path main = root.resolve(module).resolve("src/main");
      for (Path file : files(main.resolve("java"), ".java")) {
        Matcher m = PACKAGE.matcher(read(file));
        assertTrue(m.find(), file + " declares no package");
        packageOfFile.put(file, m.group(1));
        String before = MODULE_OF.put(m.group(1), module);
        assertTrue(before == null || before.equals(module),
            "package " + m.group(1) + " is split over modules " + before + " and " + module);
      }
      for (Path proto : files(main.resolve("proto"), ".proto")) {
        Matcher m = JAVA_PACKAGE.matcher(read(proto));
        if (m.find()) {
          MODULE_OF.put(m.group(1), module);
        }
      }
    }
    for (Map.Entry<Path, String> e : packageOfFile.entrySet()) {
      String from = e.getValue();
      Map<String, Path> out = EDGES.computeIfAbsent(from, k -> new TreeMap<>());
      Matcher m = REFERENCE.matcher(withoutComments(read(e.getKey())));
      while (m.find()) {
        String to = owningPackage(m.group(1));
        if (to != null && !to.equals(from)) {
          out.putIfAbsent(to, e.getKey());
        }
      }
    }
  }

  /** Source text without comments: a name in prose is no dependency. */
  private static String withoutComments(String source) {
    return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("(?m)^\\s*//.*$", " ");
  }

  /** The longest known package that {@code name} starts with (names may include outer classes). */
  private static String owningPackage(String name) {
    for (String p = name; p.contains("."); p = p.substring(0, p.lastIndexOf('.'))) {
      if (MODULE_OF.containsKey(p)) {
        return p;
      }
    }
    return null;
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theScanSeesEveryModuleAndItsEdges() {
    for (String module : List.of("hal", "emulator", "compiler", "board", "runtime")) {
      assertTrue(MODULE_OF.containsValue(module), "no sources found for module " + module);
    }
    assertEquals("board", MODULE_OF.get("org.quench.board.proto"), "protos map to their module");
    assertTrue(EDGES.get("org.quench.runtime.cli").containsKey("org.quench.runtime.session"),
        "the scan finds imports: " + EDGES.get("org.quench.runtime.cli"));
  }

  @Test
  void modulesOnlyPointDownTheArchitecture() {
    List<String> wrong = new ArrayList<>();
    for (Map.Entry<String, Map<String, Path>> e : EDGES.entrySet()) {
      String from = MODULE_OF.get(e.getKey());
      for (Map.Entry<String, Path> to : e.getValue().entrySet()) {
        String target = MODULE_OF.get(to.getKey());
        if (!target.equals(from) && !ALLOWED.get(from).contains(target)) {
          wrong.add(from + " -> " + target + " (" + e.getKey() + " uses " + to.getKey() + " in "
              + root.relativize(to.getValue()) + ")");
        }
      }
    }
    assertEquals(List.of(), wrong, "module arrows must follow README's module table");
  }

  @Test
  void halCarriesNoRpcStack() throws IOException {
    String pom = Files.readString(root.resolve("hal/pom.xml"), StandardCharsets.UTF_8);
    assertFalse(pom.contains("io.grpc") || pom.contains("io.netty"),
        "hal must not depend on gRPC or Netty: a chip driver depends on hal alone");
  }

  @Test
  void hazelcastIsConfinedToTheClusterPackage() throws IOException {
    List<String> outside = new ArrayList<>();
    boolean seen = false;
    for (String module : ALLOWED.keySet()) {
      for (Path file : files(root.resolve(module).resolve("src/main/java"), ".java")) {
        if (!withoutComments(read(file)).contains("com.hazelcast.")) {
          continue;
        }
        Matcher m = PACKAGE.matcher(read(file));
        assertTrue(m.find(), file + " declares no package");
        if (m.group(1).equals("org.quench.runtime.cluster")) {
          seen = true;
        } else {
          outside.add(root.relativize(file).toString());
        }
      }
    }
    assertTrue(seen, "the scan finds Hazelcast in org.quench.runtime.cluster");
    assertEquals(List.of(), outside, "only org.quench.runtime.cluster may use Hazelcast (docs/cluster.md)");
  }

  @Test
  void noPackagesDependOnEachOtherInALoop() {
    List<List<String>> cycles = stronglyConnected().stream().filter(c -> c.size() > 1)
        .map(c -> c.stream().sorted().toList()).toList();
    Set<String> found = new TreeSet<>();
    List<String> described = new ArrayList<>();
    for (List<String> c : cycles) {
      found.add(String.join(" <-> ", c));
      if (KNOWN_CYCLES.contains(String.join(" <-> ", c))) {
        continue;
      }
      StringBuilder why = new StringBuilder(String.join(" <-> ", c)).append(':');
      for (String from : c) {
        for (Map.Entry<String, Path> to : EDGES.getOrDefault(from, Map.of()).entrySet()) {
          if (c.contains(to.getKey())) {
            why.append(' ').append(from).append(" -> ").append(to.getKey()).append(" (")
                .append(root.relativize(to.getValue())).append(')');
          }
        }
      }
      described.add(why.toString());
    }
    assertEquals(List.of(), described, "package cycles");
    Set<String> fixed = new TreeSet<>(KNOWN_CYCLES);
    fixed.removeAll(found);
    assertEquals(Set.of(), fixed, "these cycles are gone: remove them from KNOWN_CYCLES");
  }

  /** Tarjan's strongly connected components of the package graph. */
  private static List<List<String>> stronglyConnected() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> components = new ArrayList<>();
    int[] counter = {0};
    for (String p : EDGES.keySet()) {
      if (!index.containsKey(p)) {
        connect(p, index, low, stack, onStack, components, counter);
      }
    }
    return components;
  }

  private static void connect(String p, Map<String, Integer> index, Map<String, Integer> low,
      Deque<String> stack, Set<String> onStack, List<List<String>> components, int[] counter) {
    index.put(p, counter[0]);
    low.put(p, counter[0]);
    counter[0]++;
    stack.push(p);
    onStack.add(p);
    for (String q : EDGES.getOrDefault(p, Map.of()).keySet()) {
      if (!index.containsKey(q)) {
        connect(q, index, low, stack, onStack, components, counter);
        low.put(p, Math.min(low.get(p), low.get(q)));
      } else if (onStack.contains(q)) {
        low.put(p, Math.min(low.get(p), index.get(q)));
      }
    }
    if (low.get(p).equals(index.get(p))) {
      List<String> component = new ArrayList<>();
      String q;
      do {
        q = stack.pop();
        onStack.remove(q);
        component.add(q);
      } while (!q.equals(p));
      components.add(component);
    }
  }
}
