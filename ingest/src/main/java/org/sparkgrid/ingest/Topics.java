package org.sparkgrid.ingest;

import java.util.HashSet;
import java.util.List;
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
 *   topics.createMissing(admin, 3, (short) 1);
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
   * Creates whichever of the four topics do not exist yet.
   *
   * @throws KafkaException if the cluster refuses or cannot be reached
   */
  public void createMissing(Admin admin, int partitions, short replicationFactor) {
    try {
      Set<String> existing = admin.listTopics().names().get();
      List<NewTopic> missing = all().stream().filter(t -> !existing.contains(t))
          .map(t -> new NewTopic(t, partitions, replicationFactor)).collect(Collectors.toList());
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
