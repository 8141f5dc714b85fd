package org.sparkgrid.jobs.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every Spark-running command takes; they become {@code spark.*} system properties. */
final class SparkOptions {
  @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*])")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "A Spark or SparkGrid setting, e.g. --conf spark.sparkgrid.engine.jobsPerEpoch=8 (repeatable)")
  Map<String, String> conf = new LinkedHashMap<>();

  /** Puts the options where {@code new SparkConf(true)} reads them. */
  void apply() {
    for (Map.Entry<String, String> e : conf.entrySet()) {
      if (!e.getKey().startsWith("spark.")) {
        throw new IllegalArgumentException("--conf " + e.getKey() + ": only spark.* keys can be set this way");
      }
      System.setProperty(e.getKey(), e.getValue());
    }
    if (master != null) {
      System.setProperty("spark.master", master);
    }
  }
}
