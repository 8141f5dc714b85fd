package org.sparkgrid.jobs.cli;

import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.jobs.modes.RequestPreflight;
import org.sparkgrid.jobs.resources.SparkContexts;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkgrid federate}: runs a tree-mode (federated) request on Spark, or resumes one. Before
 * Spark starts, the request and its federation file pass {@link RequestPreflight} ({@code minSites}
 * against the sites, every site's account on the allowlist, every site's data): a refusal exits 2
 * with one line naming the field and the value, and leaves no {@code runs/<job>/} in the store.
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
    TrainingRequest request = null;
    if (source.request != null) {
      Configuration hadoop = new Configuration();
      request = TrainCommand.readRequest(source.request, hadoop);
      if (request.federation() == null) {
        throw new IllegalArgumentException("mode: " + source.request + " is a compute-mode request; use"
            + " 'sparkgrid train', or set \"mode\": \"tree\" and a federation section");
      }
      RequestPreflight.check(request, hadoop); // minSites, allowlist, site data: before Spark and the store

    }
    SparkConf conf = SparkContexts.conf("SparkGrid federate", "local[*]");
    return TrainCommand.runAndReport(conf, SparkContexts.sparkGridConfig(conf), request, source.resume, jobId,
        System.out);
  }
}
