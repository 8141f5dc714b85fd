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
import org.sparkgrid.jobs.modes.RequestPreflight;
import org.sparkgrid.jobs.modes.RunModes;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.tree.Federations;
import org.sparkgrid.jobs.run.JobRuns;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RunMode;
import org.sparkgrid.jobs.run.TrainingRun;
import org.sparkgrid.jobs.store.HadoopCheckpointStore;
import org.sparkgrid.jobs.store.Stores;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code sparkgrid train}: runs one compute-mode request on Spark, or resumes one. A request with a
 * sweep runs its trials and prints their leaderboard. Before Spark starts, the request passes
 * {@link RequestPreflight} (data paths and formats, the federation file): a refusal exits 2 with
 * one line naming the field and the value, and leaves nothing in the store.
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
      Configuration hadoop = new Configuration();
      request = readRequest(source.request, hadoop);
      // before Spark starts: nothing is written for a request that would fail; the operator may name a file
      RequestPreflight.check(request, hadoop, Federations.registry(config), Federations.Files.ALLOWED);
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

  /**
   * Starts Spark, runs (or resumes) the job in the way its mode needs ({@link RunModes}), prints the
   * outcome ({@link RunConsole}). A sweep first prints its trials and prints their leaderboard at the end.
   */
  static int runAndReport(SparkConf conf, SparkGridConfig config, TrainingRequest request, String resume,
      String jobId, PrintStream out) throws Exception {
    boolean showProgress = config.get(SparkGridConfig.PROGRESS_ENABLED);
    ProgressListener progress = showProgress ? new ConsoleProgress(out) : ProgressListener.NONE;
    try (JavaSparkContext sc = SparkContexts.start(conf)) {
      sc.setLogLevel("WARN");
      HadoopCheckpointStore checkpoints = Stores.checkpoints(config, sc.hadoopConfiguration());
      TrainingRequest started = resume != null ? JobRuns.request(checkpoints, resume) : request;
      String id = resume != null ? resume : jobId != null ? jobId : started.id();
      RunMode mode = RunMode.of(started);
      if (mode == RunMode.SWEEP) {
        List<SweepTrials.Trial> trials = SweepTrials.expand(started, id);
        SparkContexts.checkSlots(sc, trials.stream().mapToInt(t -> t.request().engine().workers()).max().orElse(1));
        out.printf("[sparkgrid] sweep %s: %d trials (%s), %d at once, best by test %s%n", id, trials.size(),
            started.sweep().method(), started.sweep().maxConcurrent(), started.sweep().select());
      } else if (mode == RunMode.COMPUTE && resume == null) {
        SparkContexts.checkSlots(sc, started.engine().workers());
      }
      RunModes.Context context = new RunModes.Context(sc, config, Stores.models(config, sc.hadoopConfiguration()),
          checkpoints, progress).withSweep(new SweepConsole(out, showProgress), () -> false);
      TrainingRun run = RunModes.forMode(mode, context);
      RunConsole.print(resume != null ? run.resume(id) : run.run(started, id), out);
      return 0;
    }
  }
}
