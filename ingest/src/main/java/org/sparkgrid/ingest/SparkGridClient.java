package org.sparkgrid.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.utils.Utils;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.events.DroppedEvent;
import org.sparkgrid.ingest.events.EventVerifier;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits training requests to a SparkGrid service through Kafka, follows their events and
 * cancels them: for applications, the CLI and notebooks. Thread-safe.
 *
 * <pre>{@code
 * try (SparkGridClient client = SparkGridClient.connect("localhost:9092")) {
 *   TrainingRequest request = RequestCodec.parse(Files.readAllBytes(Path.of("conf/requests/fmnist-mlp.json")));
 *   client.submit(request);                                   // keyed by request.id()
 *   Optional<JobEvent> end = client.follow(request.id(), Duration.ofHours(1),
 *       e -> System.out.println(e.seq() + " " + e.payload()));
 *   end.ifPresentOrElse(
 *       e -> System.out.println("finished: " + e.payload().type()),   // succeeded, failed, cancelled, timed-out
 *       () -> client.cancel(request.id()));                       // still running after an hour
 * }
 * }</pre>
 *
 * <p>A submitted request is not yet a job: the service may refuse it (it then lands on the
 * dead-letter topic) or find it a duplicate (a {@code duplicate} event). Follow the events to know.
 *
 * <p>Signed, and believing only the service ({@link #builder}): with a requester's
 * {@link MessageSigner}, requests and control commands carry the four signature headers of
 * {@link SignedMessage} (a fresh nonce, the current time), and a request id gets the requester's
 * namespace ({@code local.} before {@code fmnist-mlp-0001}) when it lacks it; with the service
 * account, {@link #follow} and {@link #events} pass on only events that {@link EventVerifier}
 * accepts (signed by that account, in sequence) and report each other one as a {@link DroppedEvent}.
 *
 * <pre>{@code
 * try (SparkGridClient client = SparkGridClient.builder(KafkaClients.fromConfig(config))
 *     .signer(PersonalSignatures.signer(ChainKey.fromKeystore(keystore, passwordFile)), "local")
 *     .serviceAccount("0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1", PersonalSignatures.RECOVERY)
 *     .build()) {
 *   String jobId = client.submit(request).jobId();            // local.fmnist-mlp-0001
 *   client.follow(jobId, Duration.ofHours(1), System.out::println,
 *       dropped -> System.out.println(dropped.message()));    // a forged event: said, not shown
 * }
 * }</pre>
 */
public final class SparkGridClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SparkGridClient.class);

  /** How often {@link #follow} asks the clients' supplier whether the brokers moved. */
  static final Duration RECHECK = Duration.ofSeconds(2);

  private final Supplier<KafkaClients> source;
  private final KafkaClients clients;
  private final Topics topics;
  private final KafkaProducer<byte[], byte[]> producer;
  private final MessageSigner signer; // null: unsigned
  private final String requester;     // the namespace of signed request ids; null when unsigned
  private final String serviceAccount; // null: events are not verified
  private final SignatureRecovery recovery;
  private final Consumer<DroppedEvent> onDropped;
  private final AtomicBoolean warnedUnverified = new AtomicBoolean();

  private SparkGridClient(Builder b) {
    this.source = b.clients;
    this.clients = Objects.requireNonNull(source.get(), "clients");
    this.topics = b.topics;
    this.signer = b.signer;
    this.requester = b.requester;
    this.serviceAccount = b.serviceAccount;
    this.recovery = b.recovery;
    this.onDropped = b.onDropped;
    this.producer = clients.producer("sparkgrid-client", Map.of());
  }

  /** A client of the service behind {@code bootstrapServers} (plaintext), with the default topic names. */
  public static SparkGridClient connect(String bootstrapServers) {
    return connect(KafkaClients.plain(bootstrapServers), Topics.DEFAULT);
  }

  /** A client of the service behind {@code bootstrapServers} (plaintext), with the service's topic names. */
  public static SparkGridClient connect(String bootstrapServers, Topics topics) {
    return connect(KafkaClients.plain(bootstrapServers), topics);
  }

  /**
   * A client whose Kafka clients come from {@code clients} (brokers and security, e.g.
   * {@code KafkaClients.fromConfig(config)}), with the default topic names.
   */
  public static SparkGridClient connect(KafkaClients clients) {
    return connect(clients, Topics.DEFAULT);
  }

  /** A client whose Kafka clients come from {@code clients}, with the service's topic names. */
  public static SparkGridClient connect(KafkaClients clients, Topics topics) {
    return builder(clients).topics(topics).build();
  }

  /**
   * A client whose Kafka clients come from {@code clients}, asked again every 2 s while
   * {@link #follow following} a job: when it gives other brokers (a restarted
   * {@code serve --embedded-kafka} recorded another address), the follower reconnects there and
   * goes on after the last event it read. Sends use the first clients it gave.
   *
   * <pre>{@code
   * try (SparkGridClient client = SparkGridClient.connect(() -> KafkaClients.fromConfig(config), Topics.DEFAULT)) {
   *   client.follow(jobId, Duration.ofHours(1), System.out::println);   // survives the broker's move
   * }
   * }</pre>
   *
   * @throws RuntimeException whatever {@code clients} throws the first time; later failures keep the brokers in use
   */
  public static SparkGridClient connect(Supplier<KafkaClients> clients, Topics topics) {
    return builder(clients).topics(topics).build();
  }

  /** A builder of a client whose Kafka clients come from {@code clients}: add a signer, the service account. */
  public static Builder builder(KafkaClients clients) {
    Objects.requireNonNull(clients, "clients");
    return new Builder(() -> clients);
  }

  /**
   * A builder of a client whose Kafka clients come from {@code clients}, asked again while
   * following (see {@link #connect(Supplier, Topics)}).
   */
  public static Builder builder(Supplier<KafkaClients> clients) {
    return new Builder(Objects.requireNonNull(clients, "clients"));
  }

  /** How a client signs what it sends and which events it believes; {@link #build()} connects. */
  public static final class Builder {
    private final Supplier<KafkaClients> clients;
    private Topics topics = Topics.DEFAULT;
    private MessageSigner signer;
    private String requester;
    private String serviceAccount;
    private SignatureRecovery recovery;
    private Consumer<DroppedEvent> onDropped = d -> LOG.warn("{}", d.message());

    private Builder(Supplier<KafkaClients> clients) {
      this.clients = clients;
    }

    /** The service's topic names (default {@link Topics#DEFAULT}). */
    public Builder topics(Topics t) {
      this.topics = Objects.requireNonNull(t, "topics");
      return this;
    }

    /**
     * Signs every request and control command with {@code signer}; request ids live in
     * {@code requesterName}'s namespace ({@code <requesterName>.<id>}).
     *
     * @throws IllegalArgumentException if {@code requesterName} is not 1 to 64 characters of
     *     {@code [A-Za-z0-9_-]}, naming it
     */
    public Builder signer(MessageSigner signer, String requesterName) {
      this.signer = Objects.requireNonNull(signer, "signer");
      this.requester = checkRequesterName(requesterName);
      return this;
    }

    /**
     * Believes only events signed by {@code account} ({@code 0x} and 40 hex digits), recovered with
     * {@code recovery} (settlement's {@code PersonalSignatures.RECOVERY}); without it every readable
     * event is believed, and the first follow logs a warning saying so.
     *
     * @throws IllegalArgumentException if {@code account} is not {@code 0x} and 40 hex digits
     */
    public Builder serviceAccount(String account, SignatureRecovery recovery) {
      this.serviceAccount = SignedMessage.account("spark.sparkgrid.events.serviceAccount", account);
      this.recovery = Objects.requireNonNull(recovery, "recovery");
      return this;
    }

    /** Where each dropped event goes by default (default: a WARN log line with {@link DroppedEvent#message()}). */
    public Builder onDropped(Consumer<DroppedEvent> listener) {
      this.onDropped = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Connects.
     *
     * @throws RuntimeException whatever the clients' supplier throws
     */
    public SparkGridClient build() {
      return new SparkGridClient(this);
    }
  }

  /** The account that signs this client's requests and commands; empty when they go unsigned. */
  public Optional<String> signingAccount() {
    return Optional.ofNullable(signer).map(MessageSigner::account);
  }

  /** The service account whose events this client believes; empty when it believes every event. */
  public Optional<String> serviceAccount() {
    return Optional.ofNullable(serviceAccount);
  }

  /**
   * The id a request of {@code id} is submitted under: with a signer, {@code <requester>.<id>}
   * unless {@code id} starts with {@code <requester>.} already; without one, {@code id}.
   */
  public String jobIdFor(String id) {
    return namespaced(requester, id);
  }

  static String namespaced(String requester, String id) {
    if (requester == null || id.startsWith(requester + ".")) {
      return id;
    }
    return requester + "." + id;
  }

  static String checkRequesterName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("spark.sparkgrid.requester.name: must be 1 to 64 characters of A-Z, a-z,"
          + " 0-9, _ and -, got " + (name == null ? "nothing" : "'" + name + "'"));
    }
    return name;
  }

  /**
   * Where a submitted request was written.
   *
   * @param jobId     the request id as sent, which is also the job id (with a signer, in the requester's namespace)
   * @param partition the requests topic's partition
   * @param offset    its offset there
   */
  public record Submission(String jobId, int partition, long offset) {}

  /**
   * Sends a request as canonical JSON, keyed by its id, and waits for the broker's acknowledgement.
   * With a signer the id gets the requester's namespace first ({@link #jobIdFor}): read the job id
   * from the result.
   *
   * @throws InvalidRequestException if the namespaced id is too long, naming it
   * @throws KafkaException if the broker does not take it
   */
  public Submission submit(TrainingRequest request) {
    TrainingRequest r = inNamespace(request);
    return send(r.id(), RequestCodec.write(r), null);
  }

  /**
   * As {@link #submit(TrainingRequest)}, with a priority (higher runs first).
   *
   * @throws IllegalArgumentException if the priority is outside [-1000, 1000]
   */
  public Submission submit(TrainingRequest request, int priority) {
    if (priority < RequestRouter.MIN_PRIORITY || priority > RequestRouter.MAX_PRIORITY) {
      throw new IllegalArgumentException(RequestRouter.PRIORITY_HEADER + ": must be between "
          + RequestRouter.MIN_PRIORITY + " and " + RequestRouter.MAX_PRIORITY + ", got " + priority);
    }
    TrainingRequest r = inNamespace(request);
    return send(r.id(), RequestCodec.write(r), String.valueOf(priority));
  }

  /**
   * Sends request JSON exactly as given, keyed by its id (with a signer and an id outside the
   * requester's namespace: the canonical JSON of the request under its namespaced id). The request
   * is checked here first, so a refusal comes back at once rather than on the dead-letter topic.
   *
   * @throws InvalidRequestException if the codec refuses it, naming the field and the value
   * @throws KafkaException          if the broker does not take it
   */
  public Submission submit(byte[] json) {
    TrainingRequest request = RequestCodec.parse(json);
    TrainingRequest r = inNamespace(request);
    return send(r.id(), r == request ? Arrays.copyOf(json, json.length) : RequestCodec.write(r), null);
  }

  /** The request under {@link #jobIdFor its id}: itself when the id needs no namespace. */
  private TrainingRequest inNamespace(TrainingRequest r) {
    String id = jobIdFor(r.id());
    if (id.equals(r.id())) {
      return r;
    }
    // through the codec again, so a namespaced id that is now too long is refused here, naming it
    return RequestCodec.parse(RequestCodec.write(new TrainingRequest(r.schema(), id, r.mode(), r.model(), r.data(),
        r.training(), r.engine(), r.sweep(), r.federation(), r.reward())));
  }

  /**
   * Asks the service to cancel a job. The answer is a {@code cancelled} event (or nothing, if the
   * job was already over or unknown).
   *
   * @throws KafkaException if the broker does not take the command
   */
  public void cancel(String jobId) {
    command(new ControlCommand.Cancel(jobId));
  }

  /** Tree mode: asks the service to leave a site out of a job's next rounds. */
  public void excludeSite(String jobId, String site) {
    command(new ControlCommand.ExcludeSite(jobId, site));
  }

  /**
   * A job's events from its first, in order, until a terminal one or until {@code timeout}.
   *
   * @return the events seen; the last is terminal unless the time ran out
   */
  public List<JobEvent> events(String jobId, Duration timeout) {
    List<JobEvent> seen = new ArrayList<>();
    follow(jobId, timeout, seen::add);
    return seen;
  }

  /**
   * Calls {@code onEvent} with each of a job's events, from its first, until a terminal one
   * (succeeded, failed, cancelled, timed-out) or until {@code timeout}. With a service account, only
   * the events it signed, in sequence; each other record goes to the builder's
   * {@link Builder#onDropped drop listener}.
   *
   * @return the terminal event, or empty if the time ran out first
   */
  public Optional<JobEvent> follow(String jobId, Duration timeout, Consumer<JobEvent> onEvent) {
    return follow(jobId, timeout, onEvent, onDropped);
  }

  /**
   * As {@link #follow(String, Duration, Consumer)}, with each record that is not believed (unsigned,
   * signed by another account, a bad signature, replayed, out of sequence, unreadable) given to
   * {@code onDropped}.
   *
   * @return the terminal event the service signed, or empty if the time ran out first
   */
  public Optional<JobEvent> follow(String jobId, Duration timeout, Consumer<JobEvent> onEvent,
      Consumer<DroppedEvent> onDropped) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] key = jobId.getBytes(StandardCharsets.UTF_8);
    EventVerifier verifier = verifier();
    Consumer<EventVerifier.Verdict> sink = v -> {
      if (v instanceof EventVerifier.Accepted a) {
        onEvent.accept(a.event());
      } else {
        onDropped.accept(((EventVerifier.Dropped) v).dropped());
      }
    };
    KafkaClients current = clients;
    long next = -1; // the offset after the last record read; -1: from the beginning
    while (true) {
      Following f = followOn(current, key, next, deadline, verifier, sink);
      if (f.end().isPresent() || remaining(deadline).isZero()) {
        return f.end();
      }
      current = f.movedTo();
      next = f.next();
    }
  }

  /**
   * What one connection of {@link #follow} ended with: the terminal event, or the brokers the
   * supplier now names and the offset to go on from.
   */
  private record Following(Optional<JobEvent> end, KafkaClients movedTo, long next) {}

  /** A fresh verifier for one follow: the service account's, else one that checks nothing (said once). */
  private EventVerifier verifier() {
    if (serviceAccount != null) {
      return EventVerifier.of(serviceAccount, recovery);
    }
    if (warnedUnverified.compareAndSet(false, true)) {
      LOG.warn("events are not verified: no service account is configured (spark.sparkgrid.events.serviceAccount),"
          + " so an event anyone wrote to {} is believed", topics.events());
    }
    return EventVerifier.unverified();
  }

  /** Follows on {@code on} until a terminal event, the deadline, or the supplier names other brokers. */
  private Following followOn(KafkaClients on, byte[] key, long from, long deadline, EventVerifier verifier,
      Consumer<EventVerifier.Verdict> sink) {
    String jobId = new String(key, StandardCharsets.UTF_8);
    long recheckAt = System.nanoTime() + RECHECK.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = on.consumer("sparkgrid-client-events", null, Map.of())) {
      TopicPartition tp = null;
      while (tp == null) {
        List<PartitionInfo> partitions = List.of();
        try {
          partitions = consumer.partitionsFor(topics.events(), min(remaining(deadline), RECHECK));
        } catch (TimeoutException e) {
          // not there yet, or the broker is down
        }
        if (!partitions.isEmpty()) {
          // the producer's default partitioner for a keyed record
          tp = new TopicPartition(topics.events(), Utils.toPositive(Utils.murmur2(key)) % partitions.size());
        } else if (remaining(deadline).isZero()) {
          return new Following(Optional.empty(), on, from);
        } else {
          Optional<KafkaClients> moved = moved(on);
          if (moved.isPresent()) {
            return new Following(Optional.empty(), moved.get(), from);
          }
          sleep(Duration.ofMillis(100));
        }
      }
      consumer.assign(List.of(tp));
      if (from < 0) {
        consumer.seekToBeginning(List.of(tp));
      } else {
        consumer.seek(tp, from);
      }
      long next = from;
      while (!remaining(deadline).isZero()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(min(remaining(deadline), Duration.ofMillis(200)))) {
          next = r.offset() + 1;
          if (!Arrays.equals(key, r.key())) {
            continue;
          }
          EventVerifier.Verdict v = verifier.check(r.offset(), jobId, r.value(), r.headers());
          sink.accept(v);
          if (v instanceof EventVerifier.Accepted a && a.event().payload().terminal()) {
            return new Following(Optional.of(a.event()), on, next);
          }
        }
        if (System.nanoTime() - recheckAt >= 0) {
          recheckAt = System.nanoTime() + RECHECK.toNanos();
          Optional<KafkaClients> moved = moved(on);
          if (moved.isPresent()) {
            return new Following(Optional.empty(), moved.get(), next);
          }
        }
      }
      return new Following(Optional.empty(), on, next);
    }
  }

  /** The supplier's clients if they name other brokers than {@code on}; empty if the same, or it fails. */
  private Optional<KafkaClients> moved(KafkaClients on) {
    try {
      KafkaClients now = source.get();
      return now != null && !now.bootstrapServers().equals(on.bootstrapServers()) ? Optional.of(now) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty(); // e.g. the address file being rewritten: keep the brokers in use
    }
  }

  @Override
  public void close() {
    producer.close();
  }

  private void command(ControlCommand c) {
    byte[] json = c.toJson();
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topics.control(), c.jobId().getBytes(StandardCharsets.UTF_8), json);
    sign(record, SignedMessage.Kind.CONTROL, c.jobId(), json);
    await(producer.send(record), c.command() + " " + c.jobId());
  }

  /** With a signer: the four signature headers, a fresh nonce, the current time. */
  private void sign(ProducerRecord<byte[], byte[]> record, SignedMessage.Kind kind, String key, byte[] value) {
    if (signer != null) {
      SignatureHeaders.sign(signer, kind, key, value, System.currentTimeMillis()).addTo(record.headers());
    }
  }

  private Submission send(String id, byte[] json, String priority) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topics.requests(), id.getBytes(StandardCharsets.UTF_8), json);
    if (priority != null) {
      record.headers().add(RequestRouter.PRIORITY_HEADER, priority.getBytes(StandardCharsets.UTF_8));
    }
    sign(record, SignedMessage.Kind.REQUEST, id, json);
    RecordMetadata md = await(producer.send(record), "request " + id);
    return new Submission(id, md.partition(), md.offset());
  }

  private static RecordMetadata await(java.util.concurrent.Future<RecordMetadata> f, String what) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw new KafkaException("cannot send " + what + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }

  private static Duration remaining(long deadline) {
    long left = deadline - System.nanoTime();
    return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    }
  }
}
