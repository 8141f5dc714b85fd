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
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.kafka.KafkaClients;

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
 */
public final class SparkGridClient implements AutoCloseable {

  /** How often {@link #follow} asks the clients' supplier whether the brokers moved. */
  static final Duration RECHECK = Duration.ofSeconds(2);

  private final Supplier<KafkaClients> source;
  private final KafkaClients clients;
  private final Topics topics;
  private final KafkaProducer<byte[], byte[]> producer;

  private SparkGridClient(Supplier<KafkaClients> source, Topics topics) {
    this.source = source;
    this.clients = Objects.requireNonNull(source.get(), "clients");
    this.topics = topics;
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
    Objects.requireNonNull(clients, "clients");
    return new SparkGridClient(() -> clients, Objects.requireNonNull(topics, "topics"));
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
    return new SparkGridClient(Objects.requireNonNull(clients, "clients"), Objects.requireNonNull(topics, "topics"));
  }

  /**
   * Where a submitted request was written.
   *
   * @param jobId     the request id, which is also the job id
   * @param partition the requests topic's partition
   * @param offset    its offset there
   */
  public record Submission(String jobId, int partition, long offset) {}

  /**
   * Sends a request as canonical JSON, keyed by its id, and waits for the broker's acknowledgement.
   *
   * @throws KafkaException if the broker does not take it
   */
  public Submission submit(TrainingRequest request) {
    return send(request.id(), RequestCodec.write(request), null);
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
    return send(request.id(), RequestCodec.write(request), String.valueOf(priority));
  }

  /**
   * Sends request JSON exactly as given, keyed by its id. The request is checked here first, so a
   * refusal comes back at once rather than on the dead-letter topic.
   *
   * @throws InvalidRequestException if the codec refuses it, naming the field and the value
   * @throws KafkaException          if the broker does not take it
   */
  public Submission submit(byte[] json) {
    TrainingRequest request = RequestCodec.parse(json);
    return send(request.id(), Arrays.copyOf(json, json.length), null);
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
   * (succeeded, failed, cancelled, timed-out) or until {@code timeout}.
   *
   * @return the terminal event, or empty if the time ran out first
   */
  public Optional<JobEvent> follow(String jobId, Duration timeout, Consumer<JobEvent> onEvent) {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] key = jobId.getBytes(StandardCharsets.UTF_8);
    KafkaClients current = clients;
    long next = -1; // the offset after the last record read; -1: from the beginning
    while (true) {
      Following f = followOn(current, key, next, deadline, onEvent);
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

  /** Follows on {@code on} until a terminal event, the deadline, or the supplier names other brokers. */
  private Following followOn(KafkaClients on, byte[] key, long from, long deadline, Consumer<JobEvent> onEvent) {
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
          JobEvent event = JobEvent.fromJson(r.value());
          onEvent.accept(event);
          if (event.payload().terminal()) {
            return new Following(Optional.of(event), on, next);
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
    await(producer.send(new ProducerRecord<>(topics.control(), c.jobId().getBytes(StandardCharsets.UTF_8), c.toJson())),
        c.command() + " " + c.jobId());
  }

  private Submission send(String id, byte[] json, String priority) {
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topics.requests(), id.getBytes(StandardCharsets.UTF_8), json);
    if (priority != null) {
      record.headers().add(RequestRouter.PRIORITY_HEADER, priority.getBytes(StandardCharsets.UTF_8));
    }
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
