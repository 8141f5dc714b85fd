package org.sparkgrid.jobs.cli;

import java.io.PrintStream;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.sparkgrid.ingest.events.DroppedEvent;
import org.sparkgrid.ingest.events.JobEvent;

/**
 * Draws a {@link WaitView} on the console for {@code submit --wait}: a live bar over the job's
 * epochs with the last epoch's loss and accuracy beside it, and lines (prefixed with the job id)
 * for everything else; one line for each event the client did not believe ({@link #dropped}).
 */
final class WaitConsole implements Consumer<JobEvent>, AutoCloseable {
  private final PrintStream out;
  private final String jobId;
  private final WaitView view;
  private ProgressBar bar;
  private Integer exitStatus;

  WaitConsole(PrintStream out, String jobId, WaitView view) {
    this.out = out;
    this.jobId = jobId;
    this.view = view;
  }

  @Override
  public void accept(JobEvent event) {
    WaitView.Update u = view.on(event);
    if (u.exitStatus() != null) {
      exitStatus = u.exitStatus();
      close(); // the bar's last state stays on its line
    } else if (u.line() != null && bar != null) {
      out.println(); // leave the bar's line; the next redraw comes below
    }
    if (u.line() != null) {
      out.println("[sparkgrid] " + jobId + ": " + u.line());
    }
    if (u.barAt() >= 0 && view.barLength() > 0 && exitStatus == null) {
      if (bar == null) {
        bar = new ProgressBarBuilder()
            .setTaskName("epochs")
            .setInitialMax(view.barLength())
            .setStyle(ProgressBarStyle.ASCII)
            .setConsumer(new ConsoleProgressBarConsumer(out))
            .setUpdateIntervalMillis(500)
            .setSpeedUnit(ChronoUnit.MINUTES)
            .build();
      }
      bar.stepTo(u.barAt());
    }
    if (u.barMessage() != null && bar != null) {
      bar.setExtraMessage(" " + u.barMessage());
    }
  }

  /** Prints {@code [sparkgrid] ignored an event for JOB not signed by the service 0x...: REASON (...)}. */
  void dropped(DroppedEvent d) {
    if (bar != null) {
      out.println(); // leave the bar's line
    }
    out.println("[sparkgrid] " + d.message());
  }

  /** The exit status once the job is over: 0 if it succeeded, else 1. */
  Optional<Integer> exitStatus() {
    return Optional.ofNullable(exitStatus);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
