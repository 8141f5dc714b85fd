package org.sparkgrid.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.store.ArtifactWriter;
import org.sparkgrid.core.store.ModelArtifacts;
import org.sparkgrid.core.store.ModelRef;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.store.ModelVersion;
import org.sparkgrid.core.store.StoreJson;

/**
 * What every {@link ModelStore} must do. A subclass gives each test a fresh, empty root and says
 * how to look at it directly.
 */
abstract class ModelStoreContract {

  /** A new store instance over this test's root; a second call gives a second publisher on the same root. */
  protected abstract ModelStore newStore();

  /**
   * A new store over this test's root that calls {@code beforeClaim} with the version number a
   * publish has chosen, just before it claims it: where a racing publisher can take it first.
   */
  protected abstract ModelStore newStore(IntConsumer beforeClaim);

  /** Names directly under {@code relativeDir} of this test's root (e.g. {@code models/m}), sorted; empty if it does not exist. */
  protected abstract List<String> entries(String relativeDir) throws IOException;

  /** Creates the directory {@code relativeDir} under this test's root, as a stray or foreign entry would. */
  protected abstract void makeDirectory(String relativeDir) throws IOException;

  private static ModelArtifacts artifacts(String model, Double accuracy) {
    ModelArtifacts.Builder b = ModelArtifacts.builder().model(ArtifactWriter.ofUtf8(model)).lineage("job", "job-" + model);
    if (accuracy != null) {
      b.metric(ModelStore.ACCURACY, accuracy);
    }
    return b.build();
  }

  private static String read(InputStream in) throws IOException {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<Integer> numbers(List<ModelVersion> versions) {
    return versions.stream().map(ModelVersion::version).toList();
  }

  @Test
  void publishNumbersVersionsFromOne() {
    ModelStore store = newStore();

    ModelVersion first = store.publish("m", artifacts("a", 0.5));
    ModelVersion second = store.publish("m", artifacts("b", null));

    assertThat(first.version()).isEqualTo(1);
    assertThat(second.version()).isEqualTo(2);
    assertThat(numbers(store.versions("m"))).containsExactly(1, 2);
    assertThat(store.names()).containsExactly("m");
  }

  @Test
  void publishWritesExactlyTheLayoutFiles() throws IOException {
    ModelStore store = newStore();
    Instant before = Instant.now().minusMillis(1);

    ModelVersion v = store.publish("m", ModelArtifacts.builder()
        .model(ArtifactWriter.ofUtf8("zip bytes"))
        .metric("accuracy", 0.75)
        .metric("lossPerEpoch", List.of(0.5, 0.25))
        .lineage("job", "j1")
        .build());

    assertThat(entries("models")).containsExactly("m");
    assertThat(entries("models/m")).containsExactly("1");
    assertThat(entries("models/m/1")).containsExactly("lineage.json", "metrics.json", "model.zip");
    assertThat(read(store.open(v, ModelStore.MODEL_FILE))).isEqualTo("zip bytes");
    assertThat(StoreJson.read(store.open(v, ModelStore.METRICS_FILE), "metrics.json"))
        .containsExactly(Map.entry("accuracy", 0.75), Map.entry("lossPerEpoch", List.of(0.5, 0.25)));
    assertThat(StoreJson.read(store.open(v, ModelStore.LINEAGE_FILE), "lineage.json"))
        .containsExactly(Map.entry("job", "j1"), Map.entry("publishedAt", v.createdAt().toString()));
    assertThat(v.createdAt()).isBetween(before, Instant.now());
    assertThat(v.uri()).endsWith("/models/m/1");
  }

  @Test
  void resolveReturnsWhatPublishReturned() {
    ModelStore store = newStore();
    ModelVersion published = store.publish("m", artifacts("a", 0.5));

    assertThat(newStore().resolve(ModelRef.parse("m@1"))).isEqualTo(published);
  }

  @Test
  void latestIsTheHighestVersion() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", 0.9));
    store.publish("m", artifacts("b", 0.1));
    store.publish("other", artifacts("c", 0.5));

    assertThat(store.resolve(ModelRef.parse("m@latest")).version()).isEqualTo(2);
    assertThat(store.resolve(ModelRef.parse("m")).version()).isEqualTo(2);
  }

  @Test
  void versionNumberSelectsThatVersion() throws IOException {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", null));
    store.publish("m", artifacts("b", null));

    ModelVersion v = store.resolve(ModelRef.parse("m@1"));

    assertThat(read(store.open(v, ModelStore.MODEL_FILE))).isEqualTo("a");
  }

  @Test
  void bestIsTheHighestAccuracy() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", 0.80));
    store.publish("m", artifacts("b", 0.90));
    store.publish("m", artifacts("c", 0.85));

    ModelVersion best = store.resolve(ModelRef.parse("m@best"));

    assertThat(best.version()).isEqualTo(2);
    assertThat(best.accuracy()).isEqualTo(0.90);
  }

  @Test
  void bestTiesGoToTheNewest() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", 0.9));
    store.publish("m", artifacts("b", 0.9));
    store.publish("m", artifacts("c", 0.8));

    assertThat(store.resolve(ModelRef.parse("m@best")).version()).isEqualTo(2);
  }

  @Test
  void bestSkipsVersionsWithoutAccuracy() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", null));
    store.publish("m", artifacts("b", 0.5));
    store.publish("m", artifacts("c", null));

    assertThat(store.resolve(ModelRef.parse("m@best")).version()).isEqualTo(2);
    assertThat(store.resolve(ModelRef.parse("m@3")).accuracy()).isNull();
  }

  @Test
  void bestFailsClearlyWhenNoVersionHasAnAccuracy() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", null));
    store.publish("m", artifacts("b", null));

    assertThatThrownBy(() -> store.resolve(ModelRef.parse("m@best")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("cannot resolve m@best: no version of model 'm' has an accuracy in metrics.json (versions: [1, 2])");
  }

  @Test
  void resolvingAMissingVersionNamesTheVersionsThatExist() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", null));
    store.publish("m", artifacts("b", null));

    assertThatThrownBy(() -> store.resolve(ModelRef.parse("m@7")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("cannot resolve m@7: model 'm' has no version 7 (versions: [1, 2])");
  }

  @Test
  void resolvingAnUnknownModelSaysItDoesNotExist() {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", 0.5));

    assertThatThrownBy(() -> store.resolve(ModelRef.parse("ghost@best")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("cannot resolve ghost@best: model 'ghost' does not exist");
    assertThat(store.versions("ghost")).isEmpty();
  }

  @Test
  void invalidModelNamesAreRefused() {
    ModelStore store = newStore();

    assertThatThrownBy(() -> store.publish("../etc", artifacts("a", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model name '../etc' must match");
    assertThatThrownBy(() -> store.versions("_tmp-x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model name '_tmp-x' must match");
  }

  @Test
  void openingAMissingFileNamesTheFilesThatExist() {
    ModelStore store = newStore();
    ModelVersion v = store.publish("m", artifacts("a", null));

    assertThatThrownBy(() -> store.open(v, "weights.bin"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("model m@1 has no file 'weights.bin' (files: [lineage.json, metrics.json, model.zip])");
  }

  @Test
  void openingAMissingVersionNamesTheVersionsThatExist() {
    ModelStore store = newStore();
    ModelVersion v = store.publish("m", artifacts("a", null));
    ModelVersion absent = new ModelVersion("m", 5, v.uri(), v.createdAt(), null);

    assertThatThrownBy(() -> store.open(absent, ModelStore.MODEL_FILE))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("model m@5 does not exist (versions: [1])");
  }

  @Test
  void aFailingWriterPublishesNothingAndLeavesNoTemporaryFiles() throws IOException {
    ModelStore store = newStore();
    ModelArtifacts failing = ModelArtifacts.builder()
        .model(out -> {
          out.write(new byte[1000]);
          throw new IOException("disk full");
        })
        .build();

    assertThatThrownBy(() -> store.publish("m", failing))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageStartingWith("could not publish model 'm' under ")
        .hasMessageEndingWith(": disk full");
    assertThat(store.versions("m")).isEmpty();
    assertThat(store.names()).isEmpty();
    assertThat(entries("models/m")).isEmpty();
    assertThat(store.publish("m", artifacts("a", null)).version()).isEqualTo(1);
  }

  @Test
  void aReaderNeverSeesAHalfWrittenVersion() throws Exception {
    ModelStore publisher = newStore();
    ModelStore reader = newStore();
    CountDownLatch halfWritten = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ModelArtifacts slow = ModelArtifacts.builder()
        .model(out -> {
          out.write("first half".getBytes(StandardCharsets.UTF_8));
          out.flush();
          halfWritten.countDown();
          try {
            finish.await();
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
          out.write(", second half".getBytes(StandardCharsets.UTF_8));
        })
        .metric("accuracy", 0.5)
        .build();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<ModelVersion> publishing = pool.submit(() -> publisher.publish("m", slow));
      assertThat(halfWritten.await(30, TimeUnit.SECONDS)).isTrue();

      assertThat(reader.versions("m")).isEmpty();
      assertThat(reader.names()).isEmpty();
      assertThatThrownBy(() -> reader.resolve(ModelRef.parse("m@latest"))).isInstanceOf(NoSuchElementException.class);

      finish.countDown();
      ModelVersion v = publishing.get(30, TimeUnit.SECONDS);
      assertThat(read(reader.open(reader.resolve(ModelRef.parse("m@latest")), ModelStore.MODEL_FILE)))
          .isEqualTo("first half, second half");
      assertThat(v.version()).isEqualTo(1);
    } finally {
      finish.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void aPublisherThatLosesTheRaceTakesTheNextNumber() throws IOException {
    ModelStore rival = newStore();
    AtomicBoolean rivalPublished = new AtomicBoolean();
    ModelStore store = newStore(version -> {
      if (rivalPublished.compareAndSet(false, true)) {
        rival.publish("m", artifacts("rival", null));
      }
    });

    ModelVersion mine = store.publish("m", artifacts("mine", null));

    assertThat(mine.version()).isEqualTo(2);
    assertThat(read(store.open(store.resolve(ModelRef.parse("m@1")), ModelStore.MODEL_FILE))).isEqualTo("rival");
    assertThat(read(store.open(mine, ModelStore.MODEL_FILE))).isEqualTo("mine");
    assertThat(entries("models/m")).containsExactly("1", "2");
    assertThat(entries("models/m/2")).containsExactly("lineage.json", "metrics.json", "model.zip");
  }

  @Test
  void racingPublishersGetDistinctConsecutiveVersions() throws Exception {
    int perPublisher = 5;
    CyclicBarrier bothWritten = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<ModelVersion>>> results = new ArrayList<>();
      for (String publisher : List.of("p", "q")) {
        ModelStore store = newStore();
        results.add(pool.submit(() -> {
          List<ModelVersion> published = new ArrayList<>();
          for (int i = 0; i < perPublisher; i++) {
            String content = publisher + i;
            published.add(store.publish("m", ModelArtifacts.builder()
                .model(out -> {
                  out.write(content.getBytes(StandardCharsets.UTF_8));
                  try {
                    bothWritten.await(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IOException(e);
                  }
                })
                .lineage("content", content)
                .build()));
          }
          return published;
        }));
      }
      List<ModelVersion> all = new ArrayList<>();
      for (Future<List<ModelVersion>> result : results) {
        all.addAll(result.get(60, TimeUnit.SECONDS));
      }

      ModelStore store = newStore();
      assertThat(all).extracting(ModelVersion::version).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      assertThat(numbers(store.versions("m"))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
      for (ModelVersion v : all) {
        Object content = StoreJson.read(store.open(v, ModelStore.LINEAGE_FILE), "lineage.json").get("content");
        assertThat(read(store.open(v, ModelStore.MODEL_FILE))).isEqualTo(content);
        assertThat(entries("models/m/" + v.version())).containsExactly("lineage.json", "metrics.json", "model.zip");
      }
      assertThat(entries("models/m")).containsExactly("1", "10", "2", "3", "4", "5", "6", "7", "8", "9");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void listingIgnoresTemporaryAndNonNumericDirectories() throws IOException {
    ModelStore store = newStore();
    store.publish("m", artifacts("a", null));
    makeDirectory("models/m/_tmp-crashed-publish");
    makeDirectory("models/m/notes");
    makeDirectory("models/m/007");
    makeDirectory("models/m/0");
    makeDirectory("models/_tmp-x");
    makeDirectory("models/empty");

    assertThat(numbers(store.versions("m"))).containsExactly(1);
    assertThat(store.names()).containsExactly("m");
    assertThat(store.publish("m", artifacts("b", null)).version()).isEqualTo(2);
  }

  @Test
  void updateLineageMergesAndKeepsTheLayout() throws IOException {
    ModelStore store = newStore();
    ModelVersion v = store.publish("m", artifacts("a", null));

    store.updateLineage(v, Map.of("settlementTx", "0xabc"));
    store.updateLineage(v, Map.of("job", "j2"));

    assertThat(StoreJson.read(store.open(v, ModelStore.LINEAGE_FILE), "lineage.json")).containsExactly(
        Map.entry("job", "j2"), Map.entry("publishedAt", v.createdAt().toString()), Map.entry("settlementTx", "0xabc"));
    assertThat(entries("models/m/1")).containsExactly("lineage.json", "metrics.json", "model.zip");
    assertThat(store.resolve(ModelRef.parse("m@1"))).isEqualTo(v);
  }

  @Test
  void updateLineageCannotChangeThePublishTime() {
    ModelStore store = newStore();
    ModelVersion v = store.publish("m", artifacts("a", null));

    assertThatThrownBy(() -> store.updateLineage(v, Map.of("publishedAt", "2000-01-01T00:00:00Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lineage key 'publishedAt' is set by the store when it publishes and cannot be updated");
  }

  @Test
  void updateLineageOfAMissingVersionFails() {
    ModelStore store = newStore();
    ModelVersion v = store.publish("m", artifacts("a", null));
    ModelVersion absent = new ModelVersion("m", 2, v.uri(), v.createdAt(), null);

    assertThatThrownBy(() -> store.updateLineage(absent, Map.of("settlementTx", "0xabc")))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("model m@2 does not exist (versions: [1])");
  }
}
