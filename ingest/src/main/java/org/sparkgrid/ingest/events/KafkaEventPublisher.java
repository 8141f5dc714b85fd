package org.sparkgrid.ingest.events;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link JobEvent}s as JSON on the events topic, keyed by job id (so one job's events
 * stay in order on one partition), with sequence numbers from the {@link JobStore}. With a
 * {@link MessageSigner} (the service's key) every event carries the four signature headers of
 * {@link SignedMessage} ({@link SignedMessage.Kind#EVENT}, the job id, the event's JSON bytes), so
 * clients can drop events nobody but the service could have written ({@link EventVerifier}).
 *
 * <pre>{@code
 * try (EventPublisher events = KafkaEventPublisher.create("localhost:9092", "sparkgrid.events", store)
 *     .signedBy(PersonalSignatures.signer(serviceKey))) {
 *   events.publish("fmnist-mlp-0001", new JobEvent.Failed("data.train: file not found"));
 * }
 * }</pre>
 */
public final class KafkaEventPublisher implements EventPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventPublisher.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final JobStore store;
  private final Clock clock;
  private final MessageSigner signer; // null: unsigned

  /** Publishes through {@code producer}, which this publisher then owns and closes. */
  public KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, JobStore store, Clock clock) {
    this(producer, topic, store, clock, null);
  }

  private KafkaEventPublisher(Producer<byte[], byte[]> producer, String topic, JobStore store, Clock clock,
      MessageSigner signer) {
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.signer = signer;
  }

  /**
   * This publisher (same producer, which the result now owns), signing every event with {@code signer}:
   * {@link SignedMessage.Kind#EVENT}, key the job id, over the event's JSON bytes, at the event's time.
   */
  public KafkaEventPublisher signedBy(MessageSigner signer) {
    return new KafkaEventPublisher(producer, topic, store, clock, Objects.requireNonNull(signer, "signer"));
  }

  /** The account that signs the events; empty when they are not signed. */
  public Optional<String> signingAccount() {
    return Optional.ofNullable(signer).map(MessageSigner::account);
  }

  /** A publisher with its own producer (acks=all, idempotent, no linger) on {@code bootstrapServers}. */
  public static KafkaEventPublisher create(String bootstrapServers, String topic, JobStore store) {
    return create(KafkaClients.plain(bootstrapServers), topic, store);
  }

  /** A publisher with its own producer (acks=all, idempotent, no linger) from {@code clients}. */
  public static KafkaEventPublisher create(KafkaClients clients, String topic, JobStore store) {
    // few, small events: each goes at once (a client waits on it)
    return new KafkaEventPublisher(clients.producer("sparkgrid-events", Map.of(ProducerConfig.LINGER_MS_CONFIG, 0)),
        topic, store, Clock.systemUTC());
  }

  @Override
  public JobEvent publish(String jobId, JobEvent.Payload payload) {
    return publish(jobId, store.nextEventSeq(jobId), payload);
  }

  @Override
  public JobEvent publish(String jobId, long seq, JobEvent.Payload payload) {
    JobEvent event = new JobEvent(jobId, seq, clock.instant(), payload);
    byte[] json = event.toJson();
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, jobId.getBytes(StandardCharsets.UTF_8), json);
    if (signer != null) {
      SignatureHeaders.sign(signer, SignedMessage.Kind.EVENT, jobId, json, event.time().toEpochMilli())
          .addTo(record.headers());
    }
    producer.send(record, (md, e) -> {
      if (e != null) {
        LOG.warn("event {} #{} of job {} was not published: {}", payload.type(), event.seq(), jobId, e.toString());
      }
    });
    return event;
  }

  @Override
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
