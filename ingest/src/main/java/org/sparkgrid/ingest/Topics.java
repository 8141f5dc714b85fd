package org.sparkgrid.ingest;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The names of SparkGrid's four topics. {@link #DEFAULT} holds the names DESIGN.md promises;
 * another set lets two SparkGrid services share one Kafka cluster.
 *
 * <pre>{@code
 * Topics topics = Topics.DEFAULT;                       // sparkgrid.requests, sparkgrid.requests.dlq, ...
 * Topics test = Topics.DEFAULT.withPrefix("team-a.");   // team-a.sparkgrid.requests, ...
 * try (Admin admin = KafkaClients.plain("localhost:9092").admin("sparkgrid-admin")) {
 *   topics.createForService(admin, 3, (short) 1);   // requests and control: 3 partitions, the others 1
 * }
 * }</pre>
 *
 * @param requests    training requests in, keyed by request id
 * @param deadLetters refused requests: the original bytes and key, with reason headers
 * @param events      job events, keyed by job id
 * @param control     commands such as cancel, keyed by job id
 */
public record Topics(String requests, String deadLetters, String events, String control) {

  /** {@code sparkgrid.requests}, {@code sparkgrid.requests.dlq}, {@code sparkgrid.events}, {@code sparkgrid.control}. */
  public static final Topics DEFAULT =
      new Topics("sparkgrid.requests", "sparkgrid.requests.dlq", "sparkgrid.events", "sparkgrid.control");

  /** @throws IllegalArgumentException if a name is blank or two names are the same */
  public Topics {
    for (String name : new String[] {requests, deadLetters, events, control}) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("a topic name must not be blank, got " + (name == null ? null : "'" + name + "'"));
      }
    }
    if (new HashSet<>(List.of(requests, deadLetters, events, control)).size() < 4) {
      throw new IllegalArgumentException("topic names must differ, got " + List.of(requests, deadLetters, events, control));
    }
  }

  /** These names, each with {@code prefix} in front. */
  public Topics withPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return new Topics(prefix + requests, prefix + deadLetters, prefix + events, prefix + control);
  }

  /** The four names, requests first. */
  public List<String> all() {
    return List.of(requests, deadLetters, events, control);
  }

  /**
   * Creates whichever of the four topics do not exist yet, each with {@code partitions} partitions.
   *
   * @throws KafkaException if the cluster refuses or cannot be reached
   */
  public void createMissing(Admin admin, int partitions, short replicationFactor) {
    create(admin, all().stream().collect(Collectors.toMap(t -> t, t -> partitions)), replicationFactor);
  }

  /**
   * Creates whichever of the four topics do not exist yet as the service wants them: requests and
   * control with {@code workPartitions} partitions, so that service instances in one consumer group
   * share them (at most {@code workPartitions} instances take requests at once); dead letters and
   * events with one. A topic that exists is left as it is: {@link #partitions} tells its count.
   *
   * @throws IllegalArgumentException if {@code workPartitions} is below 1
   * @throws KafkaException           if the cluster refuses or cannot be reached
   */
  public void createForService(Admin admin, int workPartitions, short replicationFactor) {
    create(admin, servicePartitions(workPartitions), replicationFactor);
  }

  /** The partitions each topic gets from {@link #createForService}: requests and control {@code workPartitions}, the others 1. */
  public Map<String, Integer> servicePartitions(int workPartitions) {
    if (workPartitions < 1) {
      throw new IllegalArgumentException("partitions of " + requests + " and " + control + " must be at least 1, got "
          + workPartitions);
    }
    Map<String, Integer> p = new LinkedHashMap<>();
    p.put(requests, workPartitions);
    p.put(deadLetters, 1);
    p.put(events, 1);
    p.put(control, workPartitions);
    return p;
  }

  /**
   * The number of partitions {@code topic} has.
   *
   * @throws KafkaException if the topic does not exist or the cluster cannot be reached
   */
  public static int partitions(Admin admin, String topic) {
    try {
      return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    } catch (ExecutionException e) {
      throw new KafkaException("cannot describe topic " + topic + ": " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.common.errors.InterruptException(e);
    }
  }

  private void create(Admin admin, Map<String, Integer> partitions, short replicationFactor) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = all().stream().filter(t -> !existing.contains(t))
          .map(t -> new NewTopic(t, partitions.get(t), replicationFactor)).collect(Collectors.toList());
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get();
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile by someone else: fine
        throw new KafkaException("cannot create topics " + all() + ": " + e.getCause(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new org.apache.kafka.common.errors.InterruptException(e);
    }
  }
}
