package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.jobs.resources.LocalClusters;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;
import org.sparkgrid.settlement.chain.LocalChain;

/**
 * Sites that really run where their identity is, on a real standalone cluster:
 * {@code local-cluster[2,1,1024]} starts a master and two workers in this JVM and one executor JVM per
 * worker. Each worker claims one site's identity through its discovery script (the first to run it
 * gets {@code site-a}, the second {@code site-b}: an atomic {@code mkdir} per claim), so executor 1
 * and executor 2 hold different {@code sparkgrid-site} addresses. Every site task records the
 * identity of the executor it trained on; every site's store is read back and compared with the
 * coordinator's model.
 *
 * <p>Spark's worker starts executors from a Spark installation: in tests ({@code spark.testing}) it
 * takes it from {@code spark.test.home} (a RELEASE file and an empty jars/) and gives executors this
 * JVM's classpath (as {@code ClusterCapacitySparkTest} does).
 */
class SiteLocalClusterSparkTest {
  private static JavaSparkContext sc;
  @TempDir static Path dir;
  private static String data;

  @BeforeAll
  static void startCluster() throws Exception {
    LocalClusters.standInSparkHome(dir);
    Path claims = Files.createDirectories(dir.resolve("claims"));
    Path discover = dir.resolve("claim-site.sh");
    Files.writeString(discover, """
        #!/bin/sh
        # each worker runs this once at start: the first claims site-a, the second site-b
        for s in site-a site-b; do
          if mkdir "%s/$s" 2>/dev/null; then
            echo "{\\"name\\": \\"sparkgrid-site\\", \\"addresses\\": [\\"$s\\"]}"
            exit 0
          fi
        done
        echo "no site left to claim" >&2
        exit 1
        """.formatted(claims));
    Files.setPosixFilePermissions(discover, PosixFilePermissions.fromString("rwxr-xr-x"));

    sc = new JavaSparkContext(new SparkConf(false)
        .setMaster("local-cluster[2,1,1024]").setAppName("SiteLocalClusterSparkTest")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
        .set("spark.executorEnv.OMP_NUM_THREADS", "1")
        .set("spark.executor.extraJavaOptions", String.join(" ", jvmFlags()))
        .set("spark.worker.resource.sparkgrid-site.amount", "1")
        .set("spark.worker.resource.sparkgrid-site.discoveryScript", discover.toString())
        .set("spark.executor.resource.sparkgrid-site.amount", "1")
        .set("spark.task.resource.sparkgrid-site.amount", "0.01")
        .set("spark.task.maxFailures", "3"));
    sc.setLogLevel("WARN");
    for (int i = 0; i < 1200 && SitePlacement.executorsBySite(sc.sc()).size() < 2; i++) {
      Thread.sleep(100);
    }
    assertThat(SitePlacement.executorsBySite(sc.sc())).as("both executors registered with a site within 2 minutes")
        .containsOnlyKeys("site-a", "site-b");
    data = writeData(dir.resolve("data"));
  }

  @AfterAll
  static void stopCluster() {
    if (sc != null) {
      sc.stop();
    }
    System.clearProperty("spark.testing");
    System.clearProperty("spark.test.home");
  }

  @Test
  void eachSiteTrainsOnlyOnItsOwnExecutorAndItsStoreHoldsTheFinalModel() throws Exception {
    Path log = dir.resolve("trained-on.log");
    Map<String, List<String>> bySite = SitePlacement.executorsBySite(sc.sc());

    FederationRunner.Result r = runner().run(request("site-local", federation("fed-ab.json", "site-a", "site-b")),
        "site-local");

    assertThat(r.rounds()).hasSize(2);
    assertThat(r.rounds()).allSatisfy(m -> assertThat(m.accepted()).containsExactlyInAnyOrder("site-a", "site-b"));
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).as("one training per site and round").hasSize(4);
    for (String line : lines) { // "<site> <executor id> <identity of that executor>"
      String[] f = line.split(" ");
      assertThat(f[2]).as("identity of the executor that trained " + f[0]).isEqualTo(f[0]);
      assertThat(bySite.get(f[0])).as("executors holding " + f[0]).containsExactly(f[1]);
    }
    for (String site : List.of("site-a", "site-b")) {
      Path stored = dir.resolve("store-" + site).resolve("site-local").resolve("model.zip");
      assertThat(stored).as(site + "'s store").exists();
      MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(stored.toFile(), false);
      assertThat(net.params().toFloatVector()).as(site + "'s model").containsExactly(r.state().global());
    }
    assertThat(dir.resolve("store/runs/site-local/site-site-a-model.zip")).as("the coordinator's copy").exists();
    sc.sc().listenerBus().waitUntilEmpty(10_000);
    assertThat(SiteRefusals.on(sc).all()).as("placed on the identity's executor first, never refused")
        .noneMatch(x -> x.message().startsWith("site site-a's") || x.message().startsWith("site site-b's"));
  }

  @Test
  void aSiteNoExecutorHoldsIsRefusedEverywhereAndTheRoundRecordsWhere() throws Exception {
    List<String> said = Collections.synchronizedList(new ArrayList<>());
    ProgressListener progress = new ProgressListener() {
      @Override
      public void phase(String description) {
        said.add(description);
      }
    };

    FederationRunner.Result r = runner(progress).run(request("site-c-refused",
        federation("fed-abc.json", "site-a", "site-b", "site-c"), 1, 2), "site-c-refused");
    sc.sc().listenerBus().waitUntilEmpty(10_000);

    assertThat(r.rounds().get(0).accepted()).containsExactlyInAnyOrder("site-a", "site-b");
    assertThat(r.rounds().get(0).rejected().get("site-c")).matches("site training failed: site site-c's task"
        + " refused executor \\d+ on host \\S+: it holds the identity of site-[ab], not of site-c");
    List<SiteRefusals.Refusal> refusals = SiteRefusals.on(sc).all().stream()
        .filter(x -> x.message().startsWith("site site-c's")).toList();
    assertThat(refusals).as("spark.task.maxFailures 3: two attempts refused and retried, the third reported")
        .hasSize(2 * 2); // training and the store write
    List<String> executors = SitePlacement.executorsBySite(sc.sc()).values().stream().flatMap(List::stream).toList();
    assertThat(refusals).allSatisfy(x -> {
      assertThat(x.executorId()).isIn(executors);
      assertThat(x.message()).isEqualTo("site site-c's task refused executor " + x.executorId() + " on host " + x.host()
          + ": it holds the identity of " + (SitePlacement.executorsBySite(sc.sc()).get("site-a").contains(x.executorId())
          ? "site-a" : "site-b") + ", not of site-c");
    });
    assertThat(dir.resolve("store-site-c").resolve("site-c-refused")).as("site-c's store").doesNotExist();
    assertThat(said).anyMatch(s -> s.startsWith("round 1: placement: 2 attempts refused by site identity (site"
        + " site-c's task refused executor "));
    assertThat(said).anyMatch(s -> s.startsWith("site site-c's store did not receive the final model: site site-c's"
        + " task refused executor"));
    assertThat(dir.resolve("store-site-a").resolve("site-c-refused").resolve("model.zip")).exists();
  }

  /** Records where each site trained, then trains for real. */
  private static final class Recording implements SiteTrainer {
    private static final long serialVersionUID = 1L;
    private final String log;

    Recording(String log) {
      this.log = log;
    }

    @Override
    public SiteResult train(SiteTask task, Configuration conf) throws IOException {
      SiteIdentity.Executor here = SiteIdentity.here();
      String line = task.siteId() + " " + here.executorId() + " " + String.join(",", here.sites()) + "\n";
      Files.writeString(Path.of(log), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      assertThat(TaskContext.get()).isNotNull();
      return new LocalSiteTrainer().train(task, conf);
    }
  }

  private static FederationRunner runner() {
    return runner(ProgressListener.NONE);
  }

  private static FederationRunner runner(ProgressListener progress) {
    String root = dir.resolve("store").toUri().toString();
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.store.root", root,
        "spark.sparkgrid.home", dir.resolve("home").toString()));
    return new FederationRunner(sc, config, new HadoopModelStore(root, sc.hadoopConfiguration()),
        new HadoopCheckpointStore(root, sc.hadoopConfiguration()), progress,
        new Recording(dir.resolve("trained-on.log").toString()));
  }

  /** Sites with dev keys 1, 2, ..., each with its own data file and store directory. */
  private static Path federation(String name, String... ids) throws IOException {
    List<FederationFile.Site> sites = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      sites.add(new FederationFile.Site(ids[i], data, LocalChain.derive(LocalChain.DEV_MNEMONIC, i + 1).address(),
          1.0, List.of(), new FederationFile.SiteKey.Dev(i + 1), dir.resolve("store-" + ids[i]).toUri().toString()));
    }
    Path f = dir.resolve(name);
    Files.write(f, new FederationFile(sites, Set.of()).toJson());
    return f;
  }

  private static TrainingRequest request(String id, Path federation) {
    return request(id, federation, 2, 2);
  }

  private static TrainingRequest request(String id, Path federation, int rounds, int minSites) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "%s", "mode": "tree",
         "model": {"name": "%s", "architecture": "mlp", "mlp": {"hidden": [4]}},
         "data": {"format": "idx", "train": "%s", "test": "%s", "classes": 2},
         "training": {"epochs": 1, "batchSize": 8, "seed": 3},
         "federation": {"sites": "file:%s", "rounds": %d, "localEpochs": 1, "minSites": %d,
                        "roundTimeoutMs": 120000, "strategy": {"type": "fedavg"}}}
        """.formatted(id, id, data, data, federation, rounds, minSites));
  }

  /** 40 images of 2x2 pixels, two classes. */
  private static String writeData(Path dir) throws Exception {
    float[] x = new float[40 * 4];
    int[] y = new int[40];
    for (int i = 0; i < 40; i++) {
      y[i] = i % 2;
      for (int f = 0; f < 4; f++) {
        x[i * 4 + f] = y[i] == 0 ? f * 10 : 250 - f * 10;
      }
    }
    String prefix = dir.resolve("train").toString();
    IdxWriter.write(new Configuration(), prefix, ExampleShard.of(new int[] {1, 2, 2}, x, y),
        IntStream.range(0, 40).toArray());
    return "file:" + prefix;
  }

  private static List<String> jvmFlags() throws Exception {
    return LocalClusters.jvmFlags();
  }
}
