package org.sparkgrid.jobs.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.SweepTrials;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.jobs.SparkContexts;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.compute.ConsoleProgress;
import org.sparkgrid.jobs.compute.JobRuns;
import org.sparkgrid.jobs.compute.ProgressListener;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkgrid train}: runs one compute-mode request on Spark, or resumes one. A request with a
 * sweep runs its trials and prints their leaderboard.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a compute-mode request on Spark and register the model.")
public final class TrainCommand implements Callable<Integer> {

  @ArgGroup(exclusive = true, multiplicity = "1")
  RequestSource source;

  @Option(names = "--job-id", paramLabel = "ID", description = "Job id (default: the request's id)")
  String jobId;

  @Mixin SparkOptions spark = new SparkOptions();

  @Override
  public Integer call() throws Exception {
    spark.apply();
    SparkConf conf = SparkContexts.conf("SparkGrid train", "local[*]");
    SparkGridConfig config = SparkContexts.sparkGridConfig(conf);
    TrainingRequest request = null;
    if (source.request != null) {
      request = readRequest(source.request, new Configuration());
    }
    return runAndReport(conf, config, request, source.resume, jobId, System.out);
  }

  /** Reads and validates a request file from any Hadoop path. */
  static TrainingRequest readRequest(String file, Configuration hadoop) throws java.io.IOException {
    Path p = new Path(file);
    if (!p.getFileSystem(hadoop).exists(p)) {
      throw new java.io.FileNotFoundException("--request " + file + ": no such file");
    }
    try (InputStream in = p.getFileSystem(hadoop).open(p)) {
      return RequestCodec.parse(in.readAllBytes());
    }
  }

  /** Starts Spark, runs (or resumes) the job, prints the outcome. */
  static int runAndReport(SparkConf conf, SparkGridConfig config, TrainingRequest request, String resume,
      String jobId, PrintStream out) throws Exception {
    ProgressListener progress = config.get(SparkGridConfig.PROGRESS_ENABLED)
        ? new ConsoleProgress(out) : ProgressListener.NONE;
    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      sc.setLogLevel("WARN");
      HadoopCheckpointStore checkpoints = Stores.checkpoints(config, sc.hadoopConfiguration());
      TrainingRequest started = resume != null ? JobRuns.request(checkpoints, resume) : request;
      if (started.sweep() != null) {
        String id = resume != null ? resume : jobId != null ? jobId : started.id();
        return sweepAndReport(sc, config, checkpoints, started, id, resume != null, out);
      }
      ComputeJob job = new ComputeJob(sc, config, Stores.models(config, sc.hadoopConfiguration()), checkpoints,
          progress);
      ComputeJob.Result r;
      if (resume != null) {
        r = job.resume(resume);
      } else {
        SparkContexts.checkSlots(sc, request.engine().workers());
        r = job.run(request, jobId != null ? jobId : request.id());
      }
      if (r.evaluation() != null) {
        out.println(r.evaluation().summary());
        out.printf("test accuracy %.4f%n", r.evaluation().accuracy());
      }
      out.println("model " + r.version().name() + "@" + r.version().version() + " registered at " + r.version().uri());
      return 0;
    }
  }

  /** Runs (or resumes) a sweep, prints its leaderboard and what was registered. */
  private static int sweepAndReport(JavaSparkContext sc, SparkGridConfig config, HadoopCheckpointStore checkpoints,
      TrainingRequest request, String id, boolean resume, PrintStream out) throws Exception {
    List<SweepTrials.Trial> trials = SweepTrials.expand(request, id);
    SparkContexts.checkSlots(sc, trials.stream().mapToInt(t -> t.request().engine().workers()).max().orElse(1));
    out.printf("[sparkgrid] sweep %s: %d trials (%s), %d at once, best by test %s%n", id, trials.size(),
        request.sweep().method(), request.sweep().maxConcurrent(), request.sweep().select());
    SweepRunner runner = new SweepRunner(sc, config, Stores.models(config, sc.hadoopConfiguration()), checkpoints,
        new SweepConsole(out, config.get(SparkGridConfig.PROGRESS_ENABLED)), () -> false);
    SweepRunner.Result r = resume ? runner.resume(id) : runner.run(request, id);
    out.print(r.leaderboard().table());
    out.println("model " + r.version().name() + "@" + r.version().version() + " registered at " + r.version().uri()
        + " (trial " + r.winner().trial() + ")");
    return 0;
  }
}
