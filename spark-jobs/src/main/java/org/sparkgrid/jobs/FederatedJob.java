package org.sparkgrid.jobs;

import java.util.ArrayList;
import java.util.List;
import org.sparkgrid.jobs.cli.SparkGridCli;

/**
 * The {@code spark-submit} entry point for tree-mode (federated) training.
 *
 * <pre>
 * spark-submit --class org.sparkgrid.jobs.FederatedJob --master yarn \
 *   spark-jobs/target/sparkgrid-spark-jobs-0.1.0-SNAPSHOT-app.jar --request hdfs:///requests/fmnist-tree.json
 * spark-submit --class org.sparkgrid.jobs.FederatedJob ... --resume fmnist-tree-0001
 * </pre>
 *
 * Takes the same options as {@code sparkgrid federate}; exits 0 on success, 2 on bad input, 1 on failure.
 */
public final class FederatedJob {
  private FederatedJob() {}

  public static void main(String[] args) {
    List<String> a = new ArrayList<>();
    a.add("federate");
    a.addAll(List.of(args));
    System.exit(SparkGridCli.execute(a.toArray(new String[0])));
  }
}
