package org.sparkgrid.jobs;

import java.util.ArrayList;
import java.util.List;
import org.sparkgrid.jobs.cli.SparkGridCli;

/**
 * The {@code spark-submit} entry point of the request service.
 *
 * <pre>
 * spark-submit --class org.sparkgrid.jobs.ServiceMain --master yarn \
 *   --conf spark.sparkgrid.kafka.bootstrapServers=kafka1:9092 \
 *   --conf spark.sparkgrid.jobs.jdbcUrl=jdbc:postgresql://db/sparkgrid \
 *   spark-jobs/target/sparkgrid-spark-jobs-0.1.0-SNAPSHOT-app.jar
 * </pre>
 *
 * Takes the same options as {@code sparkgrid serve}.
 */
public final class ServiceMain {
  private ServiceMain() {}

  public static void main(String[] args) {
    List<String> a = new ArrayList<>();
    a.add("serve");
    a.addAll(List.of(args));
    System.exit(SparkGridCli.execute(a.toArray(new String[0])));
  }
}
