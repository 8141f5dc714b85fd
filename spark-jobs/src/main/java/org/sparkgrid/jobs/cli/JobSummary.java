package org.sparkgrid.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sparkgrid.core.run.JobResult;
import org.sparkgrid.core.sweep.Leaderboard;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;

/**
 * {@code bin/sparkgrid job ID}: one job, readable. A sweep's job adds its leaderboard, best first,
 * read from the job's result.
 *
 * <pre>
 * job       fmnist-mlp-sweep-0001
 * state     SUCCEEDED
 * attempts  0 (priority 0)
 * created   2025-01-31T10:15:30.120Z
 * started   2025-01-31T10:15:31.004Z
 * finished  2025-01-31T10:16:02.311Z (31.3 s)
 * phase     train
 * owner     service-b
 * source    sparkgrid.requests partition 0 offset 41
 * model     fmnist-mlp@4
 *
 * sweep (grid, best by test accuracy): trial 2 registered
 * RANK  TRIAL  STATUS     ACCURACY  LOSS    TRAIN_S  OVERRIDES
 * 1 *   2      succeeded  0.7810    0.6177  1.9      training.updater.learningRate=0.005
 * ...
 * </pre>
 */
final class JobSummary {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobSummary() {}

  static String format(Job j) {
    StringBuilder b = new StringBuilder();
    line(b, "job", j.id());
    line(b, "state", j.state().name());
    line(b, "attempts", j.attempts() + " (priority " + j.priority() + ")");
    line(b, "created", j.createdAt());
    line(b, "started", j.startedAt());
    if (j.finishedAt() != null && j.startedAt() != null) {
      double seconds = (j.finishedAt().toEpochMilli() - j.startedAt().toEpochMilli()) / 1000.0;
      line(b, "finished", j.finishedAt() + String.format(Locale.ROOT, " (%.1f s)", seconds));
    } else {
      line(b, "finished", j.finishedAt());
    }
    line(b, "phase", j.phase());
    line(b, "owner", owner(j));
    if (j.state() == JobState.RUNNING && j.leaseExpiresAt() != null) {
      line(b, "lease", "until " + j.leaseExpiresAt() + (j.heartbeatAt() == null ? "" : " (heartbeat " + j.heartbeatAt() + ")"));
    }
    if (j.source() != null) {
      line(b, "source", j.source().topic() + " partition " + j.source().partition() + " offset " + j.source().offset());
    }
    line(b, "error", j.error());
    if (j.resultJson() == null) {
      return b.toString();
    }
    Map<String, Object> recorded = read(j.resultJson());
    JobResult result = JobResult.fromMap(recorded);
    if (result.model() != null) {
      line(b, "model", result.model() + (result.version() == null ? "" : "@" + result.version()));
    }
    Map<String, Object> others = new LinkedHashMap<>(recorded);
    others.keySet().removeAll(result.toMap().keySet());
    if (!others.isEmpty()) {
      line(b, "result", write(others));
    }
    if (result.sweep() != null) {
      Leaderboard board = result.sweep();
      b.append('\n').append("sweep (").append(board.method()).append(", best by test ").append(board.select())
          .append("): ").append(board.best().map(w -> "trial " + w.trial() + " registered").orElse("no winner"))
          .append('\n').append(board.table());
    }
    return b.toString();
  }

  /**
   * {@code bin/sparkgrid jobs}: one line per job, with the service instance that holds it (RUNNING) or ran it last.
   *
   * <pre>
   * JOB                              STATE      ATTEMPTS OWNER                    UPDATED                    RESULT / ERROR
   * fmnist-mlp-0001                  RUNNING    1        service-b                2025-01-31T10:15:31.004Z
   * </pre>
   */
  static String table(List<Job> jobs) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%-32s %-10s %-8s %-24s %-26s %s%n", "JOB", "STATE", "ATTEMPTS", "OWNER",
        "UPDATED", "RESULT / ERROR"));
    for (Job j : jobs) {
      String owner = owner(j);
      b.append(String.format(Locale.ROOT, "%-32s %-10s %-8d %-24s %-26s %s%n", j.id(), j.state(), j.attempts(),
          owner == null ? "-" : owner, j.updatedAt(),
          j.error() != null ? j.error() : j.resultJson() == null ? "" : j.resultJson()));
    }
    return b.toString();
  }

  /** The instance holding a RUNNING job, or the one that ran a finished job; null while queued. */
  private static String owner(Job j) {
    return j.state() == JobState.QUEUED ? null : j.owner();
  }

  private static void line(StringBuilder b, String label, Object value) {
    if (value != null) {
      b.append(String.format(Locale.ROOT, "%-9s %s%n", label, value instanceof Instant i ? i.toString() : value));
    }
  }

  private static Map<String, Object> read(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      return Map.of("raw", json); // written by an older service: show it as it is
    }
  }

  private static String write(Map<String, Object> m) {
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      return m.toString();
    }
  }
}
