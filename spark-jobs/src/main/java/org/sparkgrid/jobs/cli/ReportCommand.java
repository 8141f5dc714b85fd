package org.sparkgrid.jobs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.jobs.report.JobReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sparkgrid report JOB [--out FILE]}: a job's HTML report with its plots. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write an HTML page about a job: summary, loss and accuracy per epoch or round, confusion matrix,"
        + " each site's contribution and reward, a sweep's leaderboard.")
public final class ReportCommand implements Callable<Integer> {

  @Parameters(paramLabel = "JOB", description = "The job id (a request's id)")
  String jobId;

  @Option(names = "--out", paramLabel = "FILE",
      description = "Where to write the page, a file or a directory (default: <home>/reports/report-JOB.html)")
  Path out;

  @Mixin SparkOptions spark = new SparkOptions();

  @Override
  public Integer call() throws Exception {
    SparkGridConfig config = ServiceCommands.config(spark);
    Path written = JobReport.write(jobId, config, new Configuration(),
        out == null ? JobReport.defaultPath(config, jobId) : out);
    System.out.println("report: " + written.toAbsolutePath());
    return 0;
  }
}
