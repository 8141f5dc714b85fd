package org.sparkgrid.jobs.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.sparkgrid.core.run.EpochMetrics;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.engine.TrainingEngine;
import org.sparkgrid.jobs.run.JobPhase;
import org.sparkgrid.jobs.run.ProgressListener;
import org.sparkgrid.jobs.run.RoundReport;
import org.sparkgrid.jobs.service.metrics.ServiceMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job while the service runs it: turns its progress into events, records its phase in the job
 * store (on the timer thread), and watches each phase's time limit. When a phase runs out of time the watchdog (on the
 * shared timer thread) moves the job to TIMED_OUT with the phase, publishes {@code timed-out},
 * and cancels the job's Spark job group; the job's own thread then stops at its next progress
 * call, which throws {@link CancellationException}. A cancel through the control topic stops it
 * the same way ({@link #stop}).
 */
final class RunningJob implements ProgressListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningJob.class);

  private final String jobId;
  private final PhaseClock clock;
  private final JobStore store;
  private final EventPublisher events;
  private final ScheduledExecutorService timer;
  private final Consumer<String> cancelSparkJobs;
  private final ServiceMetrics metrics;
  private ScheduledFuture<?> deadline;
  private String stoppedBecause;

  /**
   * @param clock           the attempt's phase clock, with the job's limits
   * @param timer           runs the watchdog
   * @param cancelSparkJobs cancels the Spark jobs of a job group (the job id)
   * @param metrics         told of each epoch, round and settlement
   */
  RunningJob(String jobId, PhaseClock clock, JobStore store, EventPublisher events, ScheduledExecutorService timer,
      Consumer<String> cancelSparkJobs, ServiceMetrics metrics) {
    this.jobId = jobId;
    this.clock = clock;
    this.store = store;
    this.events = events;
    this.timer = timer;
    this.cancelSparkJobs = cancelSparkJobs;
    this.metrics = metrics;
  }

  @Override
  public synchronized void enter(JobPhase phase) {
    checkRunning();
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    OptionalLong left = clock.enter(phase);
    // the job list shows the phase; written on the timer thread, in order with a time-out's write,
    // so the job's own thread does not wait for the database twice per checkpoint
    timer.execute(() -> recordPhase(phase));
    if (left.isPresent()) {
      deadline = timer.schedule(this::watch, left.getAsLong(), TimeUnit.NANOSECONDS);
    }
  }

  private void recordPhase(JobPhase phase) {
    try {
      store.setPhase(jobId, phase.wire());
    } catch (IllegalStateException | NoSuchElementException e) {
      stop("ended in the job store"); // cancelled before this service knew it ran: stop it too
    } catch (RuntimeException e) {
      LOG.warn("job {}: phase {} not recorded: {}", jobId, phase.wire(), e.toString());
    }
  }

  /** On the timer thread: times the job out if its current phase has used up its limit. */
  private void watch() {
    OptionalLong left = clock.left();
    if (left.isEmpty()) {
      return;
    }
    if (left.getAsLong() > 0) {
      synchronized (this) {
        if (stoppedBecause == null) {
          deadline = timer.schedule(this::watch, left.getAsLong(), TimeUnit.NANOSECONDS);
        }
      }
      return;
    }
    JobPhase phase = clock.current();
    synchronized (this) {
      if (stoppedBecause != null) {
        return;
      }
      try {
        store.timeOut(jobId, phase.wire());
      } catch (IllegalStateException | NoSuchElementException e) {
        return; // it ended meanwhile
      } catch (RuntimeException e) {
        LOG.warn("job {} ran out of time in phase {} but the job store is unavailable: {}; trying again in 1 s",
            jobId, phase.wire(), e.toString());
        deadline = timer.schedule(this::watch, 1, TimeUnit.SECONDS);
        return;
      }
      stoppedBecause = "timed out in phase " + phase.wire();
      LOG.info("job {} {}", jobId, stoppedBecause);
      events.publish(jobId, new JobEvent.TimedOut(phase.wire()));
    }
    cancelSparkJobs.accept(jobId);
  }

  /** The job was cancelled: its thread stops at its next progress call. */
  synchronized void stop(String reason) {
    if (stoppedBecause == null) {
      stoppedBecause = reason;
    }
    if (deadline != null) {
      deadline.cancel(false);
    }
  }

  private void checkRunning() {
    if (stoppedBecause != null) {
      throw new CancellationException("job " + jobId + " " + stoppedBecause);
    }
  }

  @Override
  public synchronized void segment(TrainingEngine.SegmentReport report) {
    checkRunning();
  }

  @Override
  public synchronized void epochDone(EpochMetrics m, int epochs) {
    checkRunning();
    this.metrics.epochDone(m);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("trainLoss", m.trainLoss());
    if (!Double.isNaN(m.testAccuracy())) {
      metrics.put("testAccuracy", m.testAccuracy());
      metrics.put("testLoss", m.testLoss());
    }
    metrics.put("examplesPerSecond", m.examplesPerSecond());
    events.publish(jobId, new JobEvent.Epoch(m.epoch(), metrics));
  }

  @Override
  public synchronized void roundDone(RoundReport report) {
    checkRunning();
    metrics.roundDone(report.metrics());
    events.publish(jobId, TreeEvents.round(report));
  }

  @Override
  public void settled(java.time.Duration latency) {
    metrics.settled(latency);
  }

  @Override
  public void waiting(String reason) {
    events.publish(jobId, new JobEvent.Waiting(reason));
  }

  @Override
  public synchronized boolean cancelled() {
    return stoppedBecause != null;
  }

  @Override
  public synchronized void phase(String description) {
    checkRunning();
  }

  /** Stops watching. */
  @Override
  public synchronized void close() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    if (stoppedBecause == null) {
      stoppedBecause = "finished";
    }
  }
}
