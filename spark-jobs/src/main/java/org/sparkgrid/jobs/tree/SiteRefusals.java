package org.sparkgrid.jobs.tree;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where site tasks refused to run ({@link SiteIdentity.Refused}), learnt from Spark's task-end
 * events: each failed attempt whose exception is a refusal, with the executor and host it refused.
 * A refusal on a task's last attempt does not fail the attempt (the site's outcome carries the
 * message instead, see {@link SiteRound}), so it is not among these but in the round's left-out sites.
 *
 * <pre>{@code
 * SiteRefusals refusals = SiteRefusals.on(sc);   // one listener per application
 * ... run a round ...
 * List<SiteRefusals.Refusal> seen = refusals.take();
 * }</pre>
 *
 * Events arrive asynchronously: {@link #report} waits for them briefly, and a refusal still queued then
 * is taken with the next round's.
 */
public final class SiteRefusals extends SparkListener {
  private static final Logger LOG = LoggerFactory.getLogger(SiteRefusals.class);
  private static final Map<String, SiteRefusals> BY_APPLICATION = new ConcurrentHashMap<>();

  /**
   * One refused attempt.
   *
   * @param stageId    the stage of the refusing task
   * @param executorId the executor it refused
   * @param host       that executor's host
   * @param message    the refusal, naming the site and the identity the executor holds
   */
  public record Refusal(int stageId, String executorId, String host, String message) {}

  private final List<Refusal> seen = new ArrayList<>();
  private final List<Refusal> all = new ArrayList<>();

  private final org.apache.spark.SparkContext sc;

  private SiteRefusals(org.apache.spark.SparkContext sc) {
    this.sc = sc;
  }

  /** The application's listener, added to the context on first use. */
  public static SiteRefusals on(JavaSparkContext sc) {
    return BY_APPLICATION.computeIfAbsent(sc.sc().applicationId(), id -> {
      SiteRefusals r = new SiteRefusals(sc.sc());
      sc.sc().addSparkListener(r);
      return r;
    });
  }

  /** The refusals recorded since the last call, oldest first. */
  public synchronized List<Refusal> take() {
    List<Refusal> out = List.copyOf(seen);
    seen.clear();
    return out;
  }

  /** Every refusal recorded in this application, oldest first. */
  public synchronized List<Refusal> all() {
    return List.copyOf(all);
  }

  /** One line for a round's progress: {@code placement: 2 attempts refused (...)}, or empty for none. */
  public static String summary(List<Refusal> refusals) {
    if (refusals.isEmpty()) {
      return "";
    }
    List<String> parts = refusals.stream().map(r -> r.message()).distinct().toList();
    return "placement: " + refusals.size() + (refusals.size() == 1 ? " attempt" : " attempts")
        + " refused by site identity (" + String.join("; ", parts) + ")";
  }

  /**
   * Takes the refusals recorded since the last call and, if any, logs them and says them as round
   * {@code round}'s (0-based) placement line. Waits up to a second for Spark's listener events of the
   * round's tasks to arrive first.
   */
  public void report(int round, Consumer<String> say) {
    try {
      sc.listenerBus().waitUntilEmpty(1_000);
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.debug("round {}: Spark's listener events still queued after 1 s; later refusals go with the next round",
          round + 1);
    }
    String line = summary(take());
    if (!line.isEmpty()) {
      LOG.warn("round {}: {}", round + 1, line);
      say.accept("round " + (round + 1) + ": " + line);
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    if (event.reason() instanceof ExceptionFailure f && f.className().equals(SiteIdentity.Refused.class.getName())) {
      Refusal r = new Refusal(event.stageId(), event.taskInfo().executorId(), event.taskInfo().host(),
          f.description());
      synchronized (this) {
        seen.add(r);
        all.add(r);
      }
    }
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd event) {
    BY_APPLICATION.values().removeIf(t -> t == this);
  }
}
