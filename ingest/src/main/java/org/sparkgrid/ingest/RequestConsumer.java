package org.sparkgrid.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.WakeupException;
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
import org.sparkgrid.ingest.jobs.PollRecord;
import org.sparkgrid.ingest.jobs.PollResult;
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
 *       store's audit. The poll's nonces, verdicts and jobs are stored in one transaction
 *       ({@link JobStore#storePoll}, one commit per poll): a nonce its account used before for
 *       another record (another poll's, another instance's, or earlier in this poll) refuses the
 *       record as {@code replayed}, whatever the later checks said; the same record read again (a
 *       poll whose offsets were not committed) is not a replay of itself.
 *   <li>Each record is decided by a {@link RequestRouter}. The accepted requests of one poll are
 *       stored in that transaction ({@link JobStore#enqueueAll}'s rules), each new one
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

  /** At most this many signature-checking threads by default ({@link Builder#verifyThreads}). */
  public static final int MAX_DEFAULT_VERIFY_THREADS = 4;

  private static final int DEFAULT_VERIFY_THREADS =
      Math.min(MAX_DEFAULT_VERIFY_THREADS, Runtime.getRuntime().availableProcessors());

  /** Records one signature-checking task takes: enough to outweigh the hand-over. */
  private static final int VERIFY_CHUNK = 32;

  private final Topics topics;
  private final JobStore store;
  private final EventPublisher events;
  private final RequestRouter router;
  private final Producer<byte[], byte[]> deadLetters;
  private final Consumer<String> onQueued;
  private final RequestCheck check;
  private final Authorizer auth;
  private final Duration nonceKeep;
  private final ExecutorService verifiers; // null: signatures checked on the consumer's thread
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
    this.nonceKeep = b.auth == null ? Duration.ZERO : b.auth.nonceKeep();
    this.verifiers = b.auth == null || b.verifyThreads == 1 ? null
        : Executors.newFixedThreadPool(b.verifyThreads, daemon("sparkgrid-request-verify"));
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
    private int verifyThreads = DEFAULT_VERIFY_THREADS;
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
     * verdict is audited in the job store. The requests' nonces are recorded in this consumer's job
     * store with each poll (kept {@link Authorizer#nonceKeep}), not through the authorizer's
     * {@link org.sparkgrid.ingest.auth.ReplayGuard}: give it {@code ReplayGuard.inStore} of the same
     * store, so that commands and requests share one table. Default none: every record is taken, and
     * nothing audited.
     */
    public Builder authorizer(Authorizer a) {
      this.auth = Objects.requireNonNull(a, "authorizer");
      return this;
    }

    /**
     * How many threads check a poll's signatures (with an {@link #authorizer}): the consumer's own
     * thread at 1; default the cores, at most {@value RequestConsumer#MAX_DEFAULT_VERIFY_THREADS}.
     * The signer's recovery is the costly part of a signed record; a poll's records are checked
     * apart from each other and then decided in order on the consumer's thread, so the outcome does
     * not depend on it.
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder verifyThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("verifyThreads must be at least 1, got " + threads);
      }
      this.verifyThreads = threads;
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
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    for (TopicPartition tp : records.partitions()) {
      all.addAll(records.records(tp));
    }
    List<Signed> signed = authenticate(all);
    List<Decision> decisions = new ArrayList<>(all.size());
    for (int i = 0; i < all.size(); i++) {
      try {
        decisions.add(decide(all.get(i), signed.get(i)));
      } catch (UncertainCheck e) {
        LOG.error("request check could not tell whether request {} can run; nothing stored, will read the {}"
            + " records again: {}", e.requestId, records.count(), e.getCause().toString());
        commitAndRewind(first, first, end); // commits nothing, rewinds every partition
        backoff();
        return;
      }
    }
    List<PollResult> results;
    try {
      // the poll's nonces, verdicts and jobs: one transaction
      results = store.storePoll(decisions.stream().map(Decision::entry).toList(), nonceKeep);
    } catch (JobStoreException e) {
      LOG.error("job store failed on a poll of {} records; nothing stored, will read them again: {}",
          records.count(), e.getMessage());
      commitAndRewind(first, first, end); // commits nothing, rewinds every partition
      backoff();
      return;
    }
    List<Refused> refused = new ArrayList<>();
    for (int i = 0; i < decisions.size(); i++) {
      Decision d = decisions.get(i);
      PollResult r = results.get(i);
      TopicPartition tp = new TopicPartition(d.record.topic(), d.record.partition());
      if (r.replayed()) {
        refused.add(new Refused(tp, d.record, d.replay));
      } else if (d.refusal != null) {
        refused.add(new Refused(tp, d.record, d.refusal));
      } else {
        report(d.entry.job(), r.enqueued(), d.record.timestamp());
      }
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
   * What one record of a poll comes to, before the store says whether its nonce is a replay: the
   * store's part ({@code entry}: nonce, job, verdicts), the refusal if it is refused anyway, and the
   * refusal if its nonce turns out a replay.
   */
  private record Decision(ConsumerRecord<byte[], byte[]> record, PollRecord entry, Refusal refusal, Refusal replay) {}

  /** The request check could not tell (an {@link IOException}): the poll is read again. */
  private static final class UncertainCheck extends Exception {
    final String requestId;

    UncertainCheck(String requestId, IOException cause) {
      super(cause);
      this.requestId = requestId;
    }
  }

  /**
   * Decides one record with what {@link #authenticate} found: refused (unsigned, bad signature, ...,
   * by the router, the requester's rights or the check) or a job; in either case with its verdict
   * for the audit where there is an authorizer, and with its nonce and the replay's refusal where it
   * is signed. The order of the checks is the class comment's: a replay (decided by the store) wins
   * over any refusal after the signature's.
   *
   * @throws UncertainCheck if the request check could not tell
   */
  private Decision decide(ConsumerRecord<byte[], byte[]> record, Signed signed) throws UncertainCheck {
    Identity who = Identity.UNSIGNED;
    JobStore.NonceUse nonce = null;
    Refusal replay = null;
    AuditRecord replayAudit = null;
    if (auth != null) {
      if (signed.refusal != null) {
        Unauthorized u = signed.refusal;
        return new Decision(record, new PollRecord(null, null, verdict(u.account(), null, keyText(record), u.refusal()),
            null), u.refusal(), null);
      }
      Authorizer.Verified v = signed.verified;
      who = v.identity();
      if (v.nonce() != null) {
        Unauthorized u = auth.replayed(v);
        nonce = new JobStore.NonceUse(who.account(), v.nonce(), v.source());
        replay = u.refusal();
        replayAudit = verdict(u.account(), null, keyText(record), replay);
      }
    }
    Header priority = record.headers().lastHeader(RequestRouter.PRIORITY_HEADER);
    RequestRouter.Route route = router.route(record.key(), record.value(), priority == null ? null : priority.value());
    String jobId = keyText(record);
    Refusal refusal = null;
    NewJob job = null;
    if (route instanceof Refusal r) {
      refusal = r;
    } else if (route instanceof RequestRouter.Accepted accepted) {
      jobId = accepted.request().id();
      refusal = authorized(who, accepted.request());
      if (refusal == null) {
        try {
          refusal = checked(accepted.request());
        } catch (IOException e) {
          throw new UncertainCheck(jobId, e);
        }
      }
      if (refusal == null) {
        job = new NewJob(accepted.request(), accepted.priority(),
            new RecordSource(record.topic(), record.partition(), record.offset()), who.name());
      }
    }
    AuditRecord audit = auth == null ? null : verdict(who.auditAccount(), who.name(), jobId, refusal);
    return new Decision(record, new PollRecord(nonce, job, audit, replayAudit), refusal, replay);
  }

  /** The refusal of the requester's rights ({@link Authorizer#authorizeRequest}), or {@code null}. */
  private Refusal authorized(Identity who, TrainingRequest request) {
    if (auth == null) {
      return null;
    }
    try {
      auth.authorizeRequest(who, request);
      return null;
    } catch (Unauthorized u) {
      return u.refusal();
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
    if (verifiers != null) {
      verifiers.shutdownNow();
    }
  }

  /** Who signed a record of the poll (its nonce not yet checked), or why it is refused. */
  private record Signed(Authorizer.Verified verified, Unauthorized refusal) {}

  /**
   * Who signed each record of the poll, in order ({@link Authorizer#verify}: headers, signature,
   * registry, clock window; the nonces are the store's, with the poll). Each {@code null} without an
   * authorizer.
   */
  private List<Signed> authenticate(List<ConsumerRecord<byte[], byte[]>> records) {
    Signed[] out = new Signed[records.size()];
    if (auth == null) {
      return Arrays.asList(out);
    }
    if (verifiers == null || records.size() <= VERIFY_CHUNK) {
      fill(out, records, 0, records.size());
      return Arrays.asList(out);
    }
    List<Callable<Void>> chunks = new ArrayList<>();
    for (int from = 0; from < records.size(); from += VERIFY_CHUNK) {
      int start = from;
      int stop = Math.min(records.size(), from + VERIFY_CHUNK);
      chunks.add(() -> {
        fill(out, records, start, stop);
        return null;
      });
    }
    try {
      for (Future<Void> f : verifiers.invokeAll(chunks)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException(); // closing: the poll loop ends without storing this poll
    } catch (ExecutionException e) {
      throw new IllegalStateException("checking a poll's signatures failed: " + e.getCause(), e.getCause());
    }
    return Arrays.asList(out);
  }

  /** Checks the signatures of {@code records[from, to)} into {@code out}. */
  private void fill(Signed[] out, List<ConsumerRecord<byte[], byte[]>> records, int from, int to) {
    for (int i = from; i < to; i++) {
      out[i] = signer(records.get(i));
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private Signed signer(ConsumerRecord<byte[], byte[]> record) {
    try {
      return new Signed(auth.verify(SignedMessage.Kind.REQUEST, record.key(), record.value(), record.headers(),
          record.topic() + "-" + record.partition() + "@" + record.offset()), null);
    } catch (Unauthorized u) {
      return new Signed(null, u);
    }
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
