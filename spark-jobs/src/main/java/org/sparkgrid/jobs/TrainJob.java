package org.sparkgrid.jobs;

import java.util.ArrayList;
import java.util.List;
import org.sparkgrid.jobs.cli.SparkGridCli;

/**
 * The {@code spark-submit} entry point for compute-mode training.
 *
 * <pre>
 * spark-submit --class org.sparkgrid.jobs.TrainJob --master yarn \
 *   spark-jobs/target/sparkgrid-spark-jobs-0.1.0-SNAPSHOT-app.jar --request hdfs:///requests/fmnist-cnn.json
 * spark-submit --class org.sparkgrid.jobs.TrainJob ... --resume fmnist-cnn-0001
 * </pre>
 *
 * Takes the same options as {@code sparkgrid train}; exits 0 on success, 2 on bad input, 1 on failure.
 */
public final class TrainJob {
  private TrainJob() {}

  public static void main(String[] args) {
    List<String> a = new ArrayList<>();
    a.add("train");
    a.addAll(List.of(args));
    System.exit(SparkGridCli.execute(a.toArray(new String[0])));
  }
}
