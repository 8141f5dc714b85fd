package org.sparkgrid.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.UnauthorizedRequestException;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.auth.Authorizer;
import org.sparkgrid.ingest.auth.Identity;
import org.sparkgrid.ingest.auth.Unauthorized;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.AuditRecord;
import org.sparkgrid.ingest.jobs.EnqueueOutcome;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.jobs.JobStoreException;
import org.sparkgrid.ingest.jobs.NewJob;
import org.sparkgrid.ingest.jobs.RecordSource;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads training requests from the requests topic into the {@link JobStore}, on its own thread.
 *
 * <ul>
 *   <li>With an {@link Builder#authorizer}, each record is first checked to come from a registered
 *       requester: its signature headers, account, timestamp and nonce before the record is read,
 *       then its role, namespace and limits once it is; a record that fails goes to the dead-letter
 *       topic as {@code unauthorized}, with a message that starts with what failed
 *       ({@link org.sparkgrid.ingest.auth.Denial}), and publishes no event. A stored job keeps its
 *       requester. Every verdict (accepted, or refused for any reason) is appended to the job
 *       store's audit, in the poll's transaction before its jobs (a poll read again after a store
 *       failure is audited again).
 *   <li>Each record is decided by a {@link RequestRouter}. The accepted requests of one poll are
 *       stored in one transaction ({@link JobStore#enqueueAll}, one commit per poll), each new one
 *       as a QUEUED job (its id is the job id) with a {@code queued} event; a request whose id the
 *       store already holds, or that came earlier in the same poll, runs nothing and publishes a
 *       {@code duplicate} event. The events' sequence numbers are taken in that transaction.
 *   <li>A request the router accepts is then given to the {@link RequestCheck} of
 *       {@link Builder#check} (default {@link RequestCheck#NONE}); one it refuses is refused as
 *       {@code unrunnable-request}, naming the field and the value, and not stored. If the check
 *       cannot tell (an {@link java.io.IOException}), nothing of the poll is stored or committed
 *       and the poll's records are read again after {@code retryBackoff}, as when the store fails.
 *       A check that breaks (any other exception or error) does not decide: the request is stored.
 *   <li>A refused record goes to the dead-letter topic with its original key, value and headers
 *       and the reason headers of {@link DeadLetter}; the consumer goes on with the next record.
 *   <li>Auto-commit is off. Offsets are committed only after the store committed the poll's
 *       requests and the dead-letter topic acknowledged its refusals. If the store fails, nothing
 *       of the poll is stored or committed: the consumer goes back to the poll's first records,
 *       waits {@code retryBackoff} and reads them all again. If a dead-letter send fails, it goes
 *       back to that record (what follows it is read again, its requests as duplicates). Nothing
 *       accepted is lost, and a restart reads again from the last commit.
 * </ul>
 *
 * <pre>{@code
 * try (JobStore store = JdbcJobStore.openH2(home.resolve("jobs"));
 *      EventPublisher events = KafkaEventPublisher.create("localhost:9092", Topics.DEFAULT.events(), store);
 *      RequestConsumer requests = RequestConsumer.builder("localhost:9092", store, events)
 *          .check(r -> RequestCodec.checkPaths(r, p -> Files.exists(Path.of(URI.create(p)))))
 *          .onQueued(jobId -> scheduler.wakeUp())
 *          .build()) {
 *   requests.start();
 *   ...                                   // until the service stops
 * }                                       // close(): wakes the poll, finishes the batch, closes
 * }</pre>
 */
public final class RequestConsumer extends PollLoop {

  private static final Logger LOG = LoggerFactory.getLogger(RequestConsumer.class);

  private final Topics topics;
  private final JobStore store;
  private final EventPublisher events;
  private final RequestRouter router;
  private final Producer<byte[], byte[]> deadLetters;
  private final Consumer<String> onQueued;
  private final RequestCheck check;
  private final Authorizer auth;
  private final IntakeListener intake;

  private RequestConsumer(Builder b) {
    super(b.clients.consumer("sparkgrid-requests", b.groupId, b.kafkaProps),
        b.topics.requests(), b.pollTimeout, b.retryBackoff, "sparkgrid-requests");
    this.topics = b.topics;
    this.store = b.store;
    this.events = b.events;
    this.router = new RequestRouter(b.maxRequestBytes);
    this.deadLetters = b.clients.producer("sparkgrid-dead-letters", deadLetterDefaults(b.kafkaProps));
    this.onQueued = b.onQueued;
    this.check = b.check;
    this.auth = b.auth;
    this.intake = b.intake;
  }

  /**
   * A builder for a consumer on {@code bootstrapServers} that stores jobs in {@code store} and
   * publishes events through {@code events} (neither is closed by the consumer).
   */
  public static Builder builder(String bootstrapServers, JobStore store, EventPublisher events) {
    return builder(KafkaClients.plain(bootstrapServers), store, events);
  }

  /**
   * A builder for a consumer whose Kafka clients come from {@code clients} (brokers, security),
   * storing jobs in {@code store} and publishing events through {@code events}.
   */
  public static Builder builder(KafkaClients clients, JobStore store, EventPublisher events) {
    return new Builder(clients, store, events);
  }

  /** Options of a {@link RequestConsumer}; every one has a default. */
  public static final class Builder {
    private final KafkaClients clients;
    private final JobStore store;
    private final EventPublisher events;
    private Topics topics = Topics.DEFAULT;
    private String groupId = "sparkgrid-service";
    private int maxRequestBytes = RequestRouter.DEFAULT_MAX_REQUEST_BYTES;
    private Duration pollTimeout = Duration.ofMillis(500);
    private Duration retryBackoff = Duration.ofSeconds(1);
    private Consumer<String> onQueued = id -> { };
    private RequestCheck check = RequestCheck.NONE;
    private Authorizer auth;
    private IntakeListener intake = IntakeListener.NONE;
    private final Map<String, Object> kafkaProps = new HashMap<>();

    private Builder(KafkaClients clients, JobStore store, EventPublisher events) {
      this.clients = Objects.requireNonNull(clients, "clients");
      this.store = Objects.requireNonNull(store, "store");
      this.events = Objects.requireNonNull(events, "events");
    }

    /** The topic names; default {@link Topics#DEFAULT}. */
    public Builder topics(Topics t) {
      this.topics = Objects.requireNonNull(t, "topics");
      return this;
    }

    /** The consumer group; default {@code sparkgrid-service}. */
    public Builder groupId(String id) {
      this.groupId = Objects.requireNonNull(id, "groupId");
      return this;
    }

    /**
     * Larger requests are refused as {@code too-large}; default 1 MiB.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1, got " + bytes);
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    /** The longest wait of one poll; default 500 ms. */
    public Builder pollTimeout(Duration d) {
      this.pollTimeout = Objects.requireNonNull(d, "pollTimeout");
      return this;
    }

    /** The wait before trying a record again after the job store or the dead-letter topic failed; default 1 s. */
    public Builder retryBackoff(Duration d) {
      this.retryBackoff = Objects.requireNonNull(d, "retryBackoff");
      return this;
    }

    /** Called on the consumer's thread with each new job's id, after it is stored. */
    public Builder onQueued(Consumer<String> listener) {
      this.onQueued = Objects.requireNonNull(listener, "onQueued");
      return this;
    }

    /**
     * The check each parsed request passes before it is stored (data paths, federation file);
     * default {@link RequestCheck#NONE}. It runs on the consumer's thread: keep it to header reads.
     */
    public Builder check(RequestCheck c) {
      this.check = Objects.requireNonNull(c, "check");
      return this;
    }

    /** Told of each new job and each dead-lettered refusal (the service's metrics); default {@link IntakeListener#NONE}. */
    public Builder intake(IntakeListener listener) {
      this.intake = Objects.requireNonNull(listener, "intake");
      return this;
    }

    /**
     * Who may submit: each record must come from a registered requester within its rights, and every
     * verdict is audited in the job store. Default none: every record is taken, and nothing audited.
     */
    public Builder authorizer(Authorizer a) {
      this.auth = Objects.requireNonNull(a, "authorizer");
      return this;
    }

    /**
     * A Kafka client setting (tuning such as {@code max.poll.records}) for the consumer or the
     * dead-letter producer, whichever knows it; the {@link KafkaClients} settings win over it.
     * Security comes from the {@link KafkaClients}.
     *
     * @throws IllegalArgumentException if SparkGrid fixes that setting ({@link KafkaClients#FIXED})
     */
    public Builder kafkaProperty(String name, Object value) {
      KafkaClients.FIXED.stream().filter(f -> f.setting().equals(name)).findFirst().ifPresent(f -> {
        throw new IllegalArgumentException("kafkaProperty " + name + " is refused: SparkGrid sets it itself, because "
            + f.reason());
      });
      kafkaProps.put(name, value);
      return this;
    }

    /** The consumer, not yet started. */
    public RequestConsumer build() {
      return new RequestConsumer(this);
    }
  }

  @Override
  protected void handle(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> first = first(records);
    Map<TopicPartition, Long> end = end(records);
    List<NewJob> batch = new ArrayList<>();
    List<Long> producedAt = new ArrayList<>(); // each batch entry's record timestamp, for the intake listener
    List<Refused> refused = new ArrayList<>();
    List<AuditRecord> audit = new ArrayList<>();
    Map<ConsumerRecord<byte[], byte[]>, Verdict> verdicts;
    try {
      verdicts = authenticate(records);
    } catch (JobStoreException e) {
      LOG.error("job store failed recording the poll's nonces; nothing stored, will read the {} records again: {}",
          records.count(), e.getMessage());
      commitAndRewind(first, first, end); // commits nothing, rewinds every partition
      backoff();
      return;
    }
    for (TopicPartition tp : records.partitions()) {
      for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
        Identity who = Identity.UNSIGNED;
        if (auth != null) {
          Verdict v = verdicts.get(record);
          if (v.refusal() != null) {
            Unauthorized u = v.refusal();
            refused.add(new Refused(tp, record, u.refusal()));
            audit.add(verdict(u.account(), null, keyText(record), u.refusal()));
            continue;
          }
          who = v.who();
        }
        Header priority = record.headers().lastHeader(RequestRouter.PRIORITY_HEADER);
        RequestRouter.Route route = router.route(record.key(), record.value(), priority == null ? null : priority.value());
        if (route instanceof Refusal refusal) {
          refused.add(new Refused(tp, record, refusal));
          audit.add(verdict(who.auditAccount(), who.name(), keyText(record), refusal));
        } else if (route instanceof RequestRouter.Accepted accepted) {
          if (auth != null) {
            try {
              auth.authorizeRequest(who, accepted.request());
            } catch (Unauthorized u) {
              refused.add(new Refused(tp, record, u.refusal()));
              audit.add(verdict(who.auditAccount(), who.name(), accepted.request().id(), u.refusal()));
              continue;
            }
          }
          Refusal unrunnable;
          try {
            unrunnable = checked(accepted.request());
          } catch (IOException e) {
            LOG.error("request check could not tell whether request {} can run; nothing stored, will read the {}"
                + " records again: {}", accepted.request().id(), records.count(), e.toString());
            commitAndRewind(first, first, end); // commits nothing, rewinds every partition
            backoff();
            return;
          }
          if (unrunnable != null) {
            refused.add(new Refused(tp, record, unrunnable));
            audit.add(verdict(who.auditAccount(), who.name(), accepted.request().id(), unrunnable));
          } else {
            batch.add(new NewJob(accepted.request(), accepted.priority(),
                new RecordSource(record.topic(), record.partition(), record.offset()), who.name()));
            audit.add(verdict(who.auditAccount(), who.name(), accepted.request().id(), null));
            producedAt.add(record.timestamp());
          }
        }
      }
    }
    List<EnqueueOutcome> outcomes;
    try {
      if (auth != null) {
        store.appendAudit(audit);
      }
      outcomes = batch.isEmpty() ? List.of() : store.enqueueAll(batch); // one transaction for the poll
    } catch (JobStoreException e) {
      LOG.error("job store failed on a batch of {} requests; nothing stored, will read the {} records again: {}",
          batch.size(), records.count(), e.getMessage());
      commitAndRewind(first, first, end); // commits nothing, rewinds every partition
      backoff();
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      report(batch.get(i), outcomes.get(i), producedAt.get(i));
    }
    List<Pending> sent = new ArrayList<>(refused.size());
    for (Refused r : refused) {
      sent.add(new Pending(r.tp, r.record, r.refusal,
          deadLetters.send(DeadLetter.of(topics.deadLetters(), r.record, r.refusal))));
    }
    Map<TopicPartition, Long> next = new HashMap<>(end);
    boolean deadLetterFailed = confirm(sent, next);
    commitAndRewind(first, next, end);
    if (deadLetterFailed) {
      backoff(); // then read again from the first refusal not sent
    }
  }

  /**
   * The refusal of {@link #check}, or {@code null} if it accepts the request. A check that breaks
   * (it throws anything but a refusal or an {@link IOException}, an {@link Error} included) does not
   * decide: the request is stored, with a warning, and its job meets the same failure where the
   * service handles a job's errors (the job ends FAILED naming it; a {@link VirtualMachineError}
   * then stops the service).
   */
  private Refusal checked(TrainingRequest request) throws IOException {
    try {
      check.check(request);
      return null;
    } catch (InvalidRequestException e) {
      return new Refusal(e instanceof UnauthorizedRequestException ? Refusal.Reason.UNAUTHORIZED
          : Refusal.Reason.UNRUNNABLE_REQUEST, e.field(), e.value(), e.getMessage());
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      LOG.warn("request check broke on request {} ({}); stored unchecked, its job will meet the failure",
          request.id(), t.toString());
      return null;
    }
  }

  /** The audit record of a request's verdict: accepted when {@code refusal} is null. */
  private AuditRecord verdict(String account, String requester, String jobId, Refusal refusal) {
    return new AuditRecord(Instant.now(), account == null ? AuditRecord.UNSIGNED : account, requester,
        "request", jobId, refusal == null, refusal == null ? null : refusal.reason().wire() + ": " + refusal.message());
  }

  /** The record's key as text, the job id it claims; {@code null} if none. */
  private static String keyText(ConsumerRecord<byte[], byte[]> record) {
    return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
  }

  private static Map<TopicPartition, Long> first(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      m.put(tp, records.records(tp).get(0).offset());
    }
    return m;
  }

  private static Map<TopicPartition, Long> end(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> m = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      m.put(tp, list.get(list.size() - 1).offset() + 1);
    }
    return m;
  }

  /** Publishes the event of a stored request: {@code queued} for a new job, else {@code duplicate}. */
  private void report(NewJob job, EnqueueOutcome outcome, long producedAtMs) {
    String id = job.request().id();
    if (outcome instanceof EnqueueOutcome.Queued) {
      LOG.info("job {} queued from {} (priority {})", id, job.source(), job.priority());
      publish(id, outcome.eventSeq(), new JobEvent.Queued(job.priority()));
      tell(() -> intake.queued(id, producedAtMs));
      try {
        onQueued.accept(id);
      } catch (RuntimeException e) {
        LOG.warn("onQueued listener failed for job {}: {}", id, e.toString());
      }
    } else if (outcome instanceof EnqueueOutcome.Duplicate d) {
      LOG.info("request {} from {} is a duplicate of job {} ({}{}); not run again", id, job.source(), id, d.state(),
          d.sameRequest() ? "" : ", with a different request");
      publish(id, outcome.eventSeq(), new JobEvent.Duplicate(d.state(), d.sameRequest(), job.source()));
    }
  }

  /** The intake listener observes and never holds up a request: what it throws is logged. */
  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("intake listener failed: {}", e.toString());
    }
  }

  /** Events report and never hold up a request: a failure to publish one is logged. */
  private void publish(String jobId, long seq, JobEvent.Payload payload) {
    try {
      events.publish(jobId, seq, payload);
    } catch (RuntimeException e) {
      LOG.warn("event {} of job {} not published: {}", payload.type(), jobId, e.toString());
    }
  }

  /**
   * Waits for the dead-letter sends; where one failed, moves {@code next} of its partition back to
   * it. A value too large for the dead-letter topic is sent again without the value.
   *
   * @return whether any send failed
   */
  private boolean confirm(List<Pending> sent, Map<TopicPartition, Long> next) {
    if (sent.isEmpty()) {
      return false;
    }
    deadLetters.flush();
    boolean failed = false;
    for (Pending p : sent) {
      try {
        try {
          p.future.get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RecordTooLargeException)) {
            throw e;
          }
          deadLetters.send(DeadLetter.withoutValue(topics.deadLetters(), p.record, p.refusal)).get();
        }
        LOG.info("refused {}-{}@{}: {} {}", p.record.topic(), p.record.partition(), p.record.offset(),
            p.refusal.reason().wire(), p.refusal.message());
        tell(() -> intake.deadLettered(p.refusal));
      } catch (ExecutionException e) {
        LOG.error("dead-letter topic {} refused {}-{}@{}; will read it again: {}", topics.deadLetters(),
            p.record.topic(), p.record.partition(), p.record.offset(), e.getCause().toString());
        next.merge(p.tp, p.record.offset(), Math::min);
        failed = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        next.merge(p.tp, p.record.offset(), Math::min);
        failed = true;
      }
    }
    return failed;
  }

  @Override
  protected void closed() {
    deadLetters.close();
  }

  /** Who signed a record of the poll, or why it is refused. */
  private record Verdict(Identity who, Unauthorized refusal) {}

  /**
   * Who signed each record of the poll: every record's signature checked, then the poll's nonces
   * recorded at once (one job-store transaction, {@link Authorizer#checkReplays}). Empty without an
   * authorizer.
   *
   * @throws JobStoreException if the store could not record the nonces
   */
  private Map<ConsumerRecord<byte[], byte[]>, Verdict> authenticate(ConsumerRecords<byte[], byte[]> records) {
    Map<ConsumerRecord<byte[], byte[]>, Verdict> out = new java.util.IdentityHashMap<>();
    if (auth == null) {
      return out;
    }
    List<ConsumerRecord<byte[], byte[]>> checked = new ArrayList<>();
    List<Authorizer.Verified> verified = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      try {
        verified.add(auth.verify(SignedMessage.Kind.REQUEST, record.key(), record.value(), record.headers(),
            record.topic() + "-" + record.partition() + "@" + record.offset()));
        checked.add(record);
      } catch (Unauthorized u) {
        out.put(record, new Verdict(null, u));
      }
    }
    List<java.util.Optional<Unauthorized>> replays = auth.checkReplays(verified);
    for (int i = 0; i < checked.size(); i++) {
      out.put(checked.get(i), new Verdict(verified.get(i).identity(), replays.get(i).orElse(null)));
    }
    return out;
  }

  private record Refused(TopicPartition tp, ConsumerRecord<byte[], byte[]> record, Refusal refusal) {}

  private record Pending(TopicPartition tp, ConsumerRecord<byte[], byte[]> record, Refusal refusal,
      Future<RecordMetadata> future) {}

  private static Map<String, Object> deadLetterDefaults(Map<String, Object> tuning) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.putAll(tuning);
    return p;
  }
}
