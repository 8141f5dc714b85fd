package org.sparkgrid.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.core.store.CheckpointStore;

/**
 * What every {@link CheckpointStore} must do. A subclass gives each test a fresh, empty root and
 * says how to look at it directly.
 */
abstract class CheckpointStoreContract {

  /** A new store instance over this test's root. */
  protected abstract CheckpointStore newStore();

  /** Names directly under {@code relativeDir} of this test's root (e.g. {@code runs/j}), sorted; empty if it does not exist. */
  protected abstract List<String> entries(String relativeDir) throws IOException;

  /** Creates the directory {@code relativeDir} under this test's root, as a stray or foreign entry would. */
  protected abstract void makeDirectory(String relativeDir) throws IOException;

  private static Map<String, ArtifactWriter> files(String params) {
    Map<String, ArtifactWriter> files = new LinkedHashMap<>();
    files.put("params.bin", ArtifactWriter.ofUtf8(params));
    files.put("round.json", ArtifactWriter.ofUtf8("{\"round\":1}"));
    return files;
  }

  private static String read(InputStream in) throws IOException {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void saveThenOpenEachFile() throws IOException {
    CheckpointStore store = newStore();

    store.save("j", 3, files("p3"));

    assertThat(read(store.open("j", 3, "params.bin"))).isEqualTo("p3");
    assertThat(read(store.open("j", 3, "round.json"))).isEqualTo("{\"round\":1}");
    assertThat(entries("runs/j/checkpoints")).containsExactly("3");
    assertThat(entries("runs/j/checkpoints/3")).containsExactly("params.bin", "round.json");
  }

  @Test
  void latestIsTheHighestStepNumerically() {
    CheckpointStore store = newStore();
    store.save("j", 9, files("p9"));
    store.save("j", 10, files("p10"));
    store.save("j", 2, files("p2"));

    assertThat(newStore().latest("j")).isEqualTo(OptionalLong.of(10));
    assertThat(store.steps("j")).containsExactly(2L, 9L, 10L);
  }

  @Test
  void latestIsEmptyForAJobWithoutCheckpoints() {
    CheckpointStore store = newStore();
    store.putRunFile("j", "request.json", ArtifactWriter.ofUtf8("{}"));

    assertThat(store.latest("j")).isEmpty();
    assertThat(store.latest("never-ran")).isEmpty();
  }

  @Test
  void stepZeroIsAValidCheckpoint() {
    CheckpointStore store = newStore();

    store.save("j", 0, files("initial"));

    assertThat(store.latest("j")).isEqualTo(OptionalLong.of(0));
  }

  @Test
  void aStepIsSavedOnlyOnce() throws IOException {
    CheckpointStore store = newStore();
    store.save("j", 4, files("first"));

    assertThatThrownBy(() -> store.save("j", 4, files("second")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("checkpoint j/4 is already saved; steps are written once");
    assertThat(read(store.open("j", 4, "params.bin"))).isEqualTo("first");
    assertThat(entries("runs/j/checkpoints")).containsExactly("4");
  }

  @Test
  void aFailingWriterSavesNothingAndLeavesNoTemporaryFiles() throws IOException {
    CheckpointStore store = newStore();
    store.save("j", 1, files("p1"));
    Map<String, ArtifactWriter> failing = new LinkedHashMap<>();
    failing.put("params.bin", ArtifactWriter.ofUtf8("p2"));
    failing.put("round.json", out -> {
      out.write('{');
      throw new IOException("executor lost");
    });

    assertThatThrownBy(() -> store.save("j", 2, failing))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("could not save checkpoint j/2 at ")
        .hasMessageEndingWith(": executor lost");
    assertThat(store.latest("j")).isEqualTo(OptionalLong.of(1));
    assertThat(entries("runs/j/checkpoints")).containsExactly("1");
  }

  @Test
  void invalidSavesAreRefusedBeforeWriting() throws IOException {
    CheckpointStore store = newStore();

    assertThatThrownBy(() -> store.save("j", -1, files("p")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoint step of job 'j' must be >= 0. Current value is -1");
    assertThatThrownBy(() -> store.save("j", 1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoint j/1 must have at least one file");
    assertThatThrownBy(() -> store.save("j", 1, Map.of("../escape", ArtifactWriter.ofUtf8("x"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("file name '../escape' must match");
    assertThatThrownBy(() -> store.save("a/b", 1, files("p")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("job id 'a/b' must match");
    assertThat(entries("runs")).isEmpty();
  }

  @Test
  void pruneKeepsTheNewest() throws IOException {
    CheckpointStore store = newStore();
    for (long step : List.of(1L, 2L, 3L, 10L, 20L)) {
      store.save("j", step, files("p" + step));
    }

    store.prune("j", 2);

    assertThat(store.steps("j")).containsExactly(10L, 20L);
    assertThat(entries("runs/j/checkpoints")).containsExactly("10", "20");
    assertThat(read(store.open("j", 20, "params.bin"))).isEqualTo("p20");
  }

  @Test
  void pruneWithFewerCheckpointsThanKeptDeletesNothing() {
    CheckpointStore store = newStore();
    store.save("j", 1, files("p1"));

    store.prune("j", 3);
    store.prune("never-ran", 3);

    assertThat(store.steps("j")).containsExactly(1L);
  }

  @Test
  void pruneMustKeepAtLeastOne() {
    CheckpointStore store = newStore();

    assertThatThrownBy(() -> store.prune("j", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkpoints to keep must be >= 1. Current value is 0");
  }

  @Test
  void openingAMissingStepNamesTheStepsThatExist() {
    CheckpointStore store = newStore();
    store.save("j", 1, files("p1"));
    store.save("j", 2, files("p2"));

    assertThatThrownBy(() -> store.open("j", 5, "params.bin"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("job 'j' has no checkpoint at step 5 (steps: [1, 2])");
  }

  @Test
  void openingAMissingFileNamesTheFilesThatExist() {
    CheckpointStore store = newStore();
    store.save("j", 1, files("p1"));

    assertThatThrownBy(() -> store.open("j", 1, "updater.bin"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("checkpoint j/1 has no file 'updater.bin' (files: [params.bin, round.json])");
  }

  @Test
  void runFilesAreReplacedWhole() throws IOException {
    CheckpointStore store = newStore();

    store.putRunFile("j", "request.json", ArtifactWriter.ofUtf8("{\"v\":1}"));
    store.putRunFile("j", "request.json", ArtifactWriter.ofUtf8("{\"v\":2}"));

    assertThat(read(store.openRunFile("j", "request.json").orElseThrow())).isEqualTo("{\"v\":2}");
    assertThat(entries("runs/j")).containsExactly("request.json");
  }

  @Test
  void aFailingRunFileWriterKeepsTheOldContent() throws IOException {
    CheckpointStore store = newStore();
    store.putRunFile("j", "request.json", ArtifactWriter.ofUtf8("old"));

    assertThatThrownBy(() -> store.putRunFile("j", "request.json", out -> {
      out.write('n');
      throw new IOException("broken pipe");
    }))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageEndingWith(": broken pipe");
    assertThat(read(store.openRunFile("j", "request.json").orElseThrow())).isEqualTo("old");
    assertThat(entries("runs/j")).containsExactly("request.json");
  }

  @Test
  void aMissingRunFileIsEmpty() {
    CheckpointStore store = newStore();

    Optional<InputStream> absent = store.openRunFile("j", "request.json");

    assertThat(absent).isEmpty();
  }

  @Test
  void theCheckpointsDirectoryIsNotARunFile() {
    CheckpointStore store = newStore();

    assertThatThrownBy(() -> store.putRunFile("j", "checkpoints", ArtifactWriter.ofUtf8("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("run file name 'checkpoints' is reserved for the checkpoints directory");
  }

  @Test
  void jobsListsRunDirectoriesSorted() throws IOException {
    CheckpointStore store = newStore();
    store.save("b-job", 1, files("p"));
    store.putRunFile("a-job", "request.json", ArtifactWriter.ofUtf8("{}"));
    makeDirectory("runs/_tmp-stray");

    assertThat(store.jobs()).containsExactly("a-job", "b-job");
  }

  @Test
  void listingIgnoresTemporaryAndNonNumericDirectories() throws IOException {
    CheckpointStore store = newStore();
    store.save("j", 5, files("p5"));
    makeDirectory("runs/j/checkpoints/_tmp-crashed-save");
    makeDirectory("runs/j/checkpoints/latest");
    makeDirectory("runs/j/checkpoints/007");
    makeDirectory("runs/j/checkpoints/-3");

    assertThat(store.steps("j")).containsExactly(5L);
    assertThat(store.latest("j")).isEqualTo(OptionalLong.of(5));
  }
}
