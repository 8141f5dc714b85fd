package org.sparkgrid.ingest.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.RecordSource;

/**
 * One event on {@code sparkgrid.events}, keyed by job id: what happened to a job, when, and its
 * place in the job's sequence. On the wire, one flat JSON object:
 *
 * <pre>{@code
 * {"job":"fmnist-mlp-0001","seq":4,"time":"2025-01-31T10:15:30.120Z","type":"epoch","epoch":3,"metrics":{"loss":0.41,"accuracy":0.86}}
 * }</pre>
 *
 * <pre>{@code
 * JobEvent e = JobEvent.fromJson(record.value());
 * if (e.payload() instanceof JobEvent.Succeeded s) {
 *   System.out.println(e.jobId() + " registered version " + s.modelVersion());
 * }
 * }</pre>
 *
 * @param jobId   the job (the request id)
 * @param seq     1 for the job's first event, then +1 per event, kept across service restarts
 * @param time    when the event was published
 * @param payload what happened; its {@link Payload#type()} is the wire {@code type}
 */
public record JobEvent(String jobId, long seq, Instant time, Payload payload) {

  public JobEvent {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(payload, "payload");
  }

  /** This event as UTF-8 JSON, as published. */
  public byte[] toJson() {
    return EventJson.write(this);
  }

  /**
   * Reads an event as published.
   *
   * @throws IllegalArgumentException if the bytes are not an event of a known type
   */
  public static JobEvent fromJson(byte[] json) {
    return EventJson.read(json);
  }

  /** What happened. The records below are every kind there is. */
  public sealed interface Payload
      permits Queued, Duplicate, Waiting, Started, Epoch, Round, SiteExcluded, Trial, Succeeded, Failed, Cancelled,
          TimedOut, CommandRefused {

    /** The wire name: {@code queued}, {@code duplicate}, {@code started} ... */
    String type();

    /** Whether the job is over after this event: succeeded, failed, cancelled, timed-out. */
    default boolean terminal() {
      return false;
    }
  }

  /** The request was stored as a new job. */
  public record Queued(int priority) implements Payload {
    @Override
    public String type() {
      return "queued";
    }
  }

  /**
   * A request with an existing job's id arrived again and was not run.
   *
   * @param existingState the existing job's state
   * @param sameRequest   whether the duplicate's request equals the stored one, defaults included
   * @param source        where the duplicate was read; {@code null} if not from Kafka
   */
  public record Duplicate(JobState existingState, boolean sameRequest, RecordSource source) implements Payload {
    @Override
    public String type() {
      return "duplicate";
    }
  }

  /**
   * The job waits for the cluster: {@code reason} names what is short, e.g. {@code waiting for
   * capacity: gpus: each of the 2 workers needs 1 core, 1 GPU, but no executor has a GPU among 3
   * executors}. Published again when the reason changes.
   */
  public record Waiting(String reason) implements Payload {
    @Override
    public String type() {
      return "waiting";
    }
  }

  /** The job started running; {@code attempt} is 1 on a first run, more when it resumes. */
  public record Started(int attempt) implements Payload {
    @Override
    public String type() {
      return "started";
    }
  }

  /** An epoch of a compute-mode job is done; metrics such as {@code trainLoss}, {@code testAccuracy}. */
  public record Epoch(int epoch, Map<String, Double> metrics) implements Payload {
    public Epoch {
      metrics = Map.copyOf(metrics);
    }

    @Override
    public String type() {
      return "epoch";
    }
  }

  /**
   * A round of a tree-mode (federated) job is done and checkpointed. On the wire:
   * <pre>{@code
   * {"type":"round","round":2,"rounds":30,"metrics":{"seconds":41.5,"testAccuracy":0.81,"testLoss":0.52},
   *  "accepted":["site-01","site-03"],"rejected":{"site-02":"missed the round deadline of 60000 ms"},
   *  "excluded":["site-07"],"contributions":[{"site":"site-01","examples":5400,"exampleShare":0.5,
   *  "lossImprovement":0.013,"shapley":null}, ...]}
   * }</pre>
   *
   * @param round         0-based, as in the model's lineage and the settlements (the first is 0)
   * @param rounds        rounds the job runs in all
   * @param metrics       the new global model's {@code testAccuracy} and {@code testLoss} (absent without a
   *                      test set), the round's wall time in {@code seconds}, and for dp-fedavg the
   *                      {@code epsilon} spent so far at the strategy's delta (absent for other strategies)
   * @param accepted      sites whose updates were merged
   * @param rejected      site to the reason its update was left out (deadline, failure, validation, signature)
   * @param excluded      sites an admin excluded, left out of this round and all later ones
   * @param contributions each accepted site's contribution
   */
  public record Round(int round, int rounds, Map<String, Double> metrics, List<String> accepted,
      Map<String, String> rejected, List<String> excluded, List<SiteContribution> contributions) implements Payload {
    public Round {
      metrics = Map.copyOf(metrics);
      accepted = List.copyOf(accepted);
      rejected = Map.copyOf(rejected);
      excluded = List.copyOf(excluded);
      contributions = List.copyOf(contributions);
    }

    @Override
    public String type() {
      return "round";
    }
  }

  /**
   * One site's contribution to a round.
   *
   * @param site            the site
   * @param examples        examples it trained on
   * @param exampleShare    its share of the round's examples, in [0, 1]
   * @param lossImprovement leave-one-out loss improvement on the coordinator's validation set; NaN
   *                        (null on the wire) if not computed
   * @param shapley         sampled Shapley estimate; NaN (null on the wire) if not computed
   */
  public record SiteContribution(String site, long examples, double exampleShare, double lossImprovement,
      double shapley) {
    public SiteContribution {
      Objects.requireNonNull(site, "site");
    }
  }

  /**
   * An admin excluded a site from a running tree-mode job ({@code exclude-site} on the control
   * topic): it is left out from the job's next round on.
   */
  public record SiteExcluded(String site) implements Payload {
    public SiteExcluded {
      Objects.requireNonNull(site, "site");
    }

    @Override
    public String type() {
      return "site-excluded";
    }
  }

  /**
   * One configuration of a sweep finished: a row of the sweep's leaderboard.
   *
   * @param trial     0-based index of the trial
   * @param overrides the swept fields and their values, e.g. {@code training.updater.learningRate: 0.005}
   * @param metrics   its final metrics ({@code accuracy}, {@code loss} on the test set,
   *                  {@code trainSeconds}); empty if it failed
   * @param error     why it failed; {@code null} if it succeeded
   */
  public record Trial(int trial, Map<String, Object> overrides, Map<String, Double> metrics, String error)
      implements Payload {
    public Trial {
      overrides = Map.copyOf(overrides);
      metrics = Map.copyOf(metrics);
    }

    @Override
    public String type() {
      return "trial";
    }
  }

  /** The job succeeded and registered {@code model} at {@code modelVersion}. */
  public record Succeeded(String model, String modelVersion, Map<String, Double> metrics) implements Payload {
    public Succeeded {
      metrics = Map.copyOf(metrics);
    }

    @Override
    public String type() {
      return "succeeded";
    }

    @Override
    public boolean terminal() {
      return true;
    }
  }

  /** The job failed; {@code reason} says why. */
  public record Failed(String reason) implements Payload {
    @Override
    public String type() {
      return "failed";
    }

    @Override
    public boolean terminal() {
      return true;
    }
  }

  /** The job was cancelled; {@code wasRunning} says whether it had started. */
  public record Cancelled(boolean wasRunning) implements Payload {
    @Override
    public String type() {
      return "cancelled";
    }

    @Override
    public boolean terminal() {
      return true;
    }
  }

  /**
   * A command on the control topic was refused: not readable, unknown, about a job the service
   * does not know, or one it cannot apply (the job is over). Its {@code seq} is 0: it is an answer
   * to the command, not a step of the job (which may not exist); its job is the command's
   * {@code job}, else the control record's key, else empty.
   *
   * @param command the command's name as given ({@code cancel}, {@code exclude-site} ...);
   *                {@code null} when the record was not a readable command
   * @param reason  why, naming the field and the value, e.g.
   *                {@code command: unknown command pause; known: cancel, exclude-site}
   */
  public record CommandRefused(String command, String reason) implements Payload {
    public CommandRefused {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String type() {
      return "command-refused";
    }
  }

  /** The job ran out of time in {@code phase}: {@code data}, {@code train} or {@code checkpoint}. */
  public record TimedOut(String phase) implements Payload {
    @Override
    public String type() {
      return "timed-out";
    }

    @Override
    public boolean terminal() {
      return true;
    }
  }
}
