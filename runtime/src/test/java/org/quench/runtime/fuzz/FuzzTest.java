package org.quench.runtime.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quench.hal.QuenchException;
import org.quench.runtime.io.ScratchDirectory;

/**
 * A few hundred seeded mutants of every input kind, from the repository's own test files: each must
 * run or be refused with Quench's own one-line message, within 5 s of CPU and 512 MiB allocated.
 * A maintainer runs many more with {@code quench fuzz} (docs/fuzzing.md).
 */
class FuzzTest {
  /** Cases per kind: enough to reach every reader's error paths, few enough for CI. */
  static final int CASES = Integer.getInteger("quench.fuzz.cases", 200);
  static final long SEED = Long.getLong("quench.fuzz.seed", 20261205L);

  static ScratchDirectory scratch;

  static FuzzCorpus corpus;

  @BeforeAll
  static void loadCorpus() {
    scratch = ScratchDirectory.create("quench-fuzz-test");
    corpus = FuzzCorpus.load(List.of(Path.of("../compiler/src/test/resources"),
        Path.of("src/test/resources")), scratch);
  }

  @AfterAll
  static void stopTheBoard() {
    corpus.close();
    scratch.close();
  }

  @ParameterizedTest
  @EnumSource(FuzzKind.class)
  void everyMutantRunsOrIsRefusedWithOneClearLine(FuzzKind kind) {
    Fuzzer fuzzer = new Fuzzer(corpus, Fuzzer.Limits.standard(), scratch);
    FuzzTally tally = new FuzzTally(kind);
    fuzzer.run(kind, SEED, 0, CASES, tally::add);
    System.out.println(tally.summary());
    fuzzer.excludedSeeds().forEach(System.out::println);
    assertEquals(CASES, tally.total());
    assertTrue(tally.failures().isEmpty(), () -> tally.failures().size() + " of " + CASES + " "
        + kind + " cases failed:\n" + tally.failures().stream().limit(20).map(FuzzCase::describe)
        .collect(Collectors.joining("\n")));
    // Both outcomes occur: the mutants reach past the first check, and some are caught.
    assertTrue(tally.refused() > 0, kind + ": no case was refused");
    assertTrue(tally.ran() > 0, kind + ": no case ran through");
  }

  @Test
  void theCorpusHoldsTheRepositorysOwnFiles() {
    assertTrue(corpus.size(FuzzKind.NIR) > 10, "NIR seeds: " + corpus.size(FuzzKind.NIR));
    assertTrue(corpus.size(FuzzKind.NETX) > 10, "netx seeds: " + corpus.size(FuzzKind.NETX));
    assertTrue(corpus.size(FuzzKind.IMAGE) >= 2, "image seeds: " + corpus.size(FuzzKind.IMAGE));
    assertEquals(corpus.size(FuzzKind.IMAGE), corpus.size(FuzzKind.IMAGE_JSON));
    assertTrue(corpus.size(FuzzKind.SPEC) >= 1);
    assertTrue(corpus.size(FuzzKind.VARIABILITY) >= 3, "variability seeds: " + corpus.size(FuzzKind.VARIABILITY));
    assertTrue(corpus.size(FuzzKind.PROFILE) >= 4, "profile seeds: " + corpus.size(FuzzKind.PROFILE));
    assertEquals(corpus.size(FuzzKind.PROFILE), corpus.size(FuzzKind.PROFILE_JSON));
    assertTrue(corpus.size(FuzzKind.BOARD) >= 1);
  }

  @Test
  void aCaseIsTheSameInputEveryTime() {
    Fuzzer fuzzer = new Fuzzer(corpus, Fuzzer.Limits.standard(), scratch);
    for (FuzzKind kind : FuzzKind.values()) {
      assertArrayEquals(fuzzer.input(kind, 7, 42), fuzzer.input(kind, 7, 42), kind.label());
      assertFalse(java.util.Arrays.equals(fuzzer.input(kind, 7, 42), fuzzer.input(kind, 7, 43))
          && java.util.Arrays.equals(fuzzer.input(kind, 7, 43), fuzzer.input(kind, 7, 44)),
          kind + ": consecutive cases should differ");
    }
  }

  @Test
  void anInputOverTheLimitsIsAFailureNotAHang() {
    // The unmutated braille model compiles with far more than 1 MiB of allocation.
    Fuzzer tight = new Fuzzer(corpus, new Fuzzer.Limits(5_000, 1 << 20, 60_000), scratch);
    Fuzzer.Outcome o = tight.execute(FuzzKind.NIR, corpus.seeds(FuzzKind.NIR).get(0).bytes());
    assertEquals(FuzzCase.Verdict.FAILED, o.verdict());
    assertTrue(o.message().contains("memory limit"), o.message());
    // and a seed that is over the limits unmutated is left out of the run, with a note
    tight.run(FuzzKind.NIR, SEED, 0, 1, c -> { });
    assertTrue(tight.excludedSeeds().stream().anyMatch(line -> line.contains("braille.nir")
        && line.contains("too costly unmutated")), tight.excludedSeeds().toString());
  }

  @Test
  void onlyAOneLineMessageOfReasonableLengthIsClear() {
    assertTrue(Fuzzer.clear("model.nir: node 'lif1': parameter 'tau' element 3 is -1.0"));
    assertFalse(Fuzzer.clear(null));
    assertFalse(Fuzzer.clear(" "));
    assertFalse(Fuzzer.clear("first line\nsecond line"));
    assertFalse(Fuzzer.clear("x".repeat(Fuzzer.MAX_MESSAGE_CHARS + 1)));
  }

  @Test
  void aRunWhoseScratchDirectoryIsRemovedEndsAndDoesNotMakeItAgain() {
    // What a shutdown hook does to a run still going (Ctrl-C, SIGTERM): the fuzzer writes no case
    // there again, so the removed directory stays removed, and it ends without a verdict.
    ScratchDirectory own = ScratchDirectory.create("quench-fuzz-test");
    Fuzzer fuzzer = new Fuzzer(corpus, Fuzzer.Limits.standard(), own);
    fuzzer.run(FuzzKind.NIR, SEED, 0, 1, c -> { });
    assertTrue(Files.isDirectory(own.path().resolve("nir")));
    own.close();
    List<FuzzCase> reported = new java.util.ArrayList<>();
    QuenchException e = assertThrows(QuenchException.class, () -> fuzzer.run(FuzzKind.NIR, SEED, 1, 5, reported::add));
    assertEquals("the scratch directory " + own.path() + " is removed (the run is ending): nir/case.nir is not"
        + " written", e.getMessage());
    assertEquals(List.of(), reported);
    assertFalse(Files.exists(own.path(), LinkOption.NOFOLLOW_LINKS), own.path() + " was made again");
  }
}
