package org.sparkgrid.jobs.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.sparkgrid.core.request.SweepTrials;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.core.sweep.TrialOutcome;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.run.ProgressListener;

/**
 * A sweep on the console: a line per finished trial, and (with progress on) a line per trial epoch.
 * Trials run at once, so there is no progress bar: their lines would tear it.
 */
final class SweepConsole implements SweepRunner.Listener {
  private final PrintStream out;
  private final boolean epochs;

  SweepConsole(PrintStream out, boolean epochs) {
    this.out = out;
    this.epochs = epochs;
  }

  @Override
  public ProgressListener progress(SweepTrials.Trial trial) {
    if (!epochs) {
      return ProgressListener.NONE;
    }
    return new ProgressListener() {
      @Override
      public void epochDone(EpochMetrics m, int epochs) {
        out.println("[sparkgrid] trial " + trial.index() + ": " + ConsoleProgress.epochLine(m, epochs));
      }
    };
  }

  @Override
  public void trialDone(TrialOutcome o) {
    String result = o.status() == TrialOutcome.Status.FAILED
        ? "failed: " + o.error()
        : String.format(Locale.ROOT, "test accuracy %.4f, test loss %.4f", o.metric(TrialOutcome.ACCURACY),
            o.metric(TrialOutcome.LOSS));
    out.println("[sparkgrid] trial " + o.trial() + " (" + o.overridesText() + ") " + result);
  }
}
