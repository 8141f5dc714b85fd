package org.sparkgrid.jobs.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.jobs.modes.RequestPreflight;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.tree.Federations;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkgrid federate}: runs a tree-mode (federated) request on Spark, or resumes one. Before
 * Spark starts, the request and its federation pass {@link RequestPreflight} (a registered federation,
 * narrowed only as its registration allows, the same check as the service's; or the operator's own
 * federation file; then {@code minSites} against the sites, every site's account on the allowlist, every
 * site's data): a refusal exits 2 with one line naming the field and the value, and leaves no
 * {@code runs/<job>/} in the store.
 */
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
    SparkConf conf = SparkContexts.conf("SparkGrid federate", "local[*]");
    SparkGridConfig config = SparkContexts.sparkGridConfig(conf);
    TrainingRequest request = null;
    if (source.request != null) {
      Configuration hadoop = new Configuration();
      request = TrainCommand.readRequest(source.request, hadoop);
      if (request.federation() == null) {
        throw new IllegalArgumentException("mode: " + source.request + " is a compute-mode request; use"
            + " 'sparkgrid train', or set \"mode\": \"tree\" and a federation section");
      }
      // the registered federation and how the request narrows it, minSites, allowlist, site data: before Spark
      // and the store; the operator may name a federation file of its own
      RequestPreflight.check(request, hadoop, Federations.registry(config), Federations.Files.ALLOWED);
    }
    return TrainCommand.runAndReport(conf, config, request, source.resume, jobId, System.out);
  }
}
