package org.sparkgrid.jobs.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.scoring.Contribution;
import org.sparkgrid.jobs.SparkContexts;
import org.sparkgrid.jobs.compute.ConsoleProgress;
import org.sparkgrid.jobs.compute.ProgressListener;
import org.sparkgrid.jobs.tree.FederationRunner;
import org.sparkgrid.jobs.tree.LocalSiteTrainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sparkgrid federate}: runs a tree-mode (federated) request on Spark, or resumes one. */
@Command(name = "federate", mixinStandardHelpOptions = true,
    description = "Run a tree-mode request: sites train locally, updates merge each round; register the model.")
public final class FederateCommand implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  RequestSource source;

  @Option(names = "--job-id", paramLabel = "ID", description = "Job id (default: the request's id)")
  String jobId;

  @Mixin SparkOptions spark = new SparkOptions();

  @Override
  public Integer call() throws Exception {
    spark.apply();
    TrainingRequest request = null;
    if (source.request != null) {
      request = TrainCommand.readRequest(source.request, new Configuration());
      if (request.federation() == null) {
        throw new IllegalArgumentException("mode: " + source.request + " is a compute-mode request; use"
            + " 'sparkgrid train', or set \"mode\": \"tree\" and a federation section");
      }
    }
    SparkConf conf = SparkContexts.conf("SparkGrid federate", "local[*]");
    SparkGridConfig config = SparkContexts.sparkGridConfig(conf);
    ProgressListener progress = config.get(SparkGridConfig.PROGRESS_ENABLED)
        ? new ConsoleProgress(System.out) : ProgressListener.NONE;
    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      sc.setLogLevel("WARN");
      FederationRunner runner = new FederationRunner(sc, config, Stores.models(config, sc.hadoopConfiguration()),
          Stores.checkpoints(config, sc.hadoopConfiguration()), progress, new LocalSiteTrainer());
      FederationRunner.Result r = source.resume != null
          ? runner.resume(source.resume)
          : runner.run(request, jobId != null ? jobId : request.id());
      if (r.evaluation() != null) {
        System.out.printf("test accuracy %.4f after %d rounds%n", r.evaluation().accuracy(), r.state().round());
      }
      Map<String, double[]> totals = new java.util.TreeMap<>();
      for (Contribution c : r.state().contributions()) {
        double[] t = totals.computeIfAbsent(c.siteId(), k -> new double[3]);
        t[0] += c.numExamples();
        t[1] += c.exampleShare();
        t[2] += Double.isNaN(c.lossImprovement()) ? 0 : c.lossImprovement();
      }
      System.out.printf("%-12s %12s %14s %18s%n", "SITE", "EXAMPLES", "SHARE (sum)", "LOSS IMPROVEMENT");
      totals.forEach((site, t) -> System.out.printf("%-12s %12.0f %14.3f %18.5f%n", site, t[0], t[1], t[2]));
      System.out.println("model " + r.version().name() + "@" + r.version().version() + " registered at "
          + r.version().uri());
      return 0;
    }
  }
}
