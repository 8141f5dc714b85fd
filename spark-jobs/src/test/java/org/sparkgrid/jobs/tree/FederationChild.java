package org.sparkgrid.jobs.tree;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RoundReport;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.HadoopModelStore;

/**
 * A tree federation in a JVM of its own, for the crash test ({@code EscrowFederationCrashIT}) to
 * kill with SIGKILL: {@code run <config.properties> <job> <request.json> [hold-after-round]} or
 * {@code resume <config.properties> <job>}, on {@code local[2]}. Prints every console line; with
 * a hold round it prints {@code HOLDING after round <n>} once round n (from 0) is checkpointed and
 * settled, then waits to be killed.
 */
public final class FederationChild {
  private FederationChild() {}

  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(Path.of(args[1]))) {
      props.load(r);
    }
    Map<String, String> map = new HashMap<>();
    props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
    SparkGridConfig config = SparkGridConfig.from(map);
    String job = args[2];
    int holdAfter = args.length > 4 ? Integer.parseInt(args[4]) : -1;
    ProgressListener console = new ProgressListener() {
      @Override
      public void phase(String line) {
        System.out.println("PHASE " + line);
        System.out.flush();
      }

      @Override
      public void roundDone(RoundReport report) {
        if (report.metrics().round() == holdAfter) {
          System.out.println("HOLDING after round " + holdAfter);
          System.out.flush();
          try {
            Thread.sleep(Long.MAX_VALUE);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("FederationChild")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1"))) {
      String root = config.get(SparkGridConfig.STORE_ROOT);
      FederationRunner runner = new FederationRunner(sc, config,
          new HadoopModelStore(root, sc.hadoopConfiguration()), new HadoopCheckpointStore(root, sc.hadoopConfiguration()),
          console, new LocalSiteTrainer());
      FederationRunner.Result result = args[0].equals("run")
          ? runner.run(RequestCodec.parse(Files.readString(Path.of(args[3]))), job)
          : runner.resume(job);
      System.out.println("DONE " + result.rounds().size() + " rounds");
    }
    System.exit(0);
  }
}
