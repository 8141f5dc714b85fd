package org.sparkgrid.jobs.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.run.ProgressListener;

/**
 * Console progress: a bar over all sync steps of the run (epoch k of n, training loss,
 * examples/s, time left), and one line per epoch with the test figures.
 */
public final class ConsoleProgress implements ProgressListener {
  private final PrintStream out;
  private ProgressBar bar;
  private int epochs;
  private int stepsPerEpoch;
  private long examplesSoFar;
  private double secondsSoFar;

  public ConsoleProgress(PrintStream out) {
    this.out = out;
  }

  @Override
  public void phase(String description) {
    out.println("[sparkgrid] " + description);
  }

  @Override
  public void waiting(String reason) {
    out.println("[sparkgrid] " + reason);
  }

  @Override
  public void start(String jobId, int epochs, int stepsPerEpoch, long examples, int startEpoch, int startStep) {
    this.epochs = epochs;
    this.stepsPerEpoch = stepsPerEpoch;
    out.printf("[sparkgrid] job %s: %d epochs x %d examples, %d sync steps per epoch%n",
        jobId, epochs, examples, stepsPerEpoch);
    bar = new ProgressBarBuilder()
        .setTaskName("Training")
        .setInitialMax((long) epochs * stepsPerEpoch)
        .setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out))
        .setUpdateIntervalMillis(500)
        .setSpeedUnit(ChronoUnit.SECONDS)
        .startsFrom((long) startEpoch * stepsPerEpoch + startStep, Duration.ZERO)
        .build();
  }

  @Override
  public void segment(TrainingEngine.SegmentReport r) {
    examplesSoFar += r.examples();
    secondsSoFar += r.seconds();
    if (bar != null) {
      bar.stepTo((long) r.epoch() * stepsPerEpoch + r.stepsDone());
      bar.setExtraMessage(String.format(" epoch %d/%d loss %.4f %.0f ex/s", r.epoch() + 1, epochs, r.meanLoss(),
          secondsSoFar > 0 ? examplesSoFar / secondsSoFar : 0.0));
    }
  }

  /** One epoch's figures in a line: {@code epoch 2/5: train loss 0.4312, test accuracy 0.8411, ...}. */
  public static String epochLine(EpochMetrics m, int epochs) {
    String test = Double.isNaN(m.testAccuracy())
        ? "no test set"
        : String.format("test accuracy %.4f, test loss %.4f", m.testAccuracy(), m.testLoss());
    return String.format("epoch %d/%d: train loss %.4f, %s, %.0f examples/s, %.1f s",
        m.epoch(), epochs, m.trainLoss(), test, m.examplesPerSecond(), m.trainSeconds());
  }

  @Override
  public void epochDone(EpochMetrics m, int epochs) {
    String line = "[sparkgrid] " + epochLine(m, epochs);
    if (bar != null) {
      // the bar redraws on its own line; print the epoch summary above it
      out.println();
    }
    out.println(line);
  }

  @Override
  public void finish() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
