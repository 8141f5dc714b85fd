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

  private final KafkaClients clients;
  private final Topics topics;
  private final KafkaProducer<byte[], byte[]> producer;

  private SparkGridClient(KafkaClients clients, Topics topics) {
    this.clients = clients;
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
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer("sparkgrid-client-events", null, Map.of())) {
      TopicPartition tp = null;
      while (tp == null) {
        List<PartitionInfo> partitions = List.of();
        try {
          partitions = consumer.partitionsFor(topics.events(), remaining(deadline));
        } catch (TimeoutException e) {
          // not there yet
        }
        if (!partitions.isEmpty()) {
          // the producer's default partitioner for a keyed record
          tp = new TopicPartition(topics.events(), Utils.toPositive(Utils.murmur2(key)) % partitions.size());
        } else if (remaining(deadline).isZero()) {
          return Optional.empty();
        } else {
          sleep(Duration.ofMillis(100));
        }
      }
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      while (!remaining(deadline).isZero()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(min(remaining(deadline), Duration.ofMillis(200)))) {
          if (!Arrays.equals(key, r.key())) {
            continue;
          }
          JobEvent event = JobEvent.fromJson(r.value());
          onEvent.accept(event);
          if (event.payload().terminal()) {
            return Optional.of(event);
          }
        }
      }
      return Optional.empty();
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
