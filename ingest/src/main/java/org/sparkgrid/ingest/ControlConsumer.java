package org.sparkgrid.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.auth.Authorizer;
import org.sparkgrid.ingest.auth.Identity;
import org.sparkgrid.ingest.auth.Unauthorized;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.AuditRecord;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.jobs.JobStoreException;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the control topic on its own thread and hands each {@link ControlCommand} to a
 * {@link ControlHandler}. Offsets are committed after the handler returns. A command that cannot
 * be read (malformed JSON, an unknown command, a missing field), or that the handler refuses
 * (unknown job, job already over), is logged, answered with a {@link JobEvent.CommandRefused}
 * event ({@code command-refused}, seq 0) keyed by the command's job (else the record's key, else
 * empty) when the consumer has an {@link EventPublisher}, and skipped; a {@link JobStoreException}
 * makes the consumer wait and read the command again.
 *
 * <p>With an {@link Auth}, a command is obeyed only when signed (headers of {@link SignedMessage},
 * kind {@code control}) by a registered requester that submitted the job and has {@code cancel-own},
 * or by an {@code admin}; any other is refused the same way, its reason starting with what failed
 * ({@link org.sparkgrid.ingest.auth.Denial}). Every verdict is appended to the job store's audit.
 *
 * <pre>{@code
 * try (ControlConsumer control = ControlConsumer.create("localhost:9092", Topics.DEFAULT, "sparkgrid-service",
 *     new JobStoreControlHandler(store, events, jobId -> spark.cancelJobGroup(jobId)))) {
 *   control.start();
 *   ...
 * }
 * }</pre>
 */
public final class ControlConsumer extends PollLoop {

  private static final Logger LOG = LoggerFactory.getLogger(ControlConsumer.class);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ControlHandler handler;
  private final EventPublisher events;
  private final Auth auth;

  /**
   * Who may give commands, and where verdicts and job owners are kept.
   *
   * @param authorizer decides
   * @param store      whose job's {@link Job#requester()} is its owner; audits every verdict
   */
  public record Auth(Authorizer authorizer, JobStore store) {
    public Auth {
      Objects.requireNonNull(authorizer, "authorizer");
      Objects.requireNonNull(store, "store");
    }
  }

  private ControlConsumer(org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, String topic,
      ControlHandler handler, EventPublisher events, Auth auth) {
    super(consumer, topic,
        Duration.ofMillis(500), Duration.ofSeconds(1), "sparkgrid-control");
    this.handler = handler;
    this.events = events;
    this.auth = auth;
  }

  /**
   * A consumer of {@code topics.control()}, not yet started.
   *
   * @param groupId the consumer group, e.g. the service's
   */
  public static ControlConsumer create(String bootstrapServers, Topics topics, String groupId, ControlHandler handler) {
    return create(KafkaClients.plain(bootstrapServers), topics, groupId, handler);
  }

  /**
   * A consumer of {@code topics.control()} whose client comes from {@code clients}, not yet started.
   *
   * @param groupId the consumer group, e.g. the service's
   */
  public static ControlConsumer create(KafkaClients clients, Topics topics, String groupId, ControlHandler handler) {
    return create(clients, topics, groupId, handler, null);
  }

  /**
   * A consumer of {@code topics.control()} that answers each refused command with a
   * {@code command-refused} event through {@code events} (not closed by the consumer; {@code null}:
   * refusals are only logged), not yet started.
   */
  public static ControlConsumer create(KafkaClients clients, Topics topics, String groupId, ControlHandler handler,
      EventPublisher events) {
    return create(clients, topics, groupId, handler, events, null);
  }

  /**
   * As {@link #create(KafkaClients, Topics, String, ControlHandler, EventPublisher)}, obeying only
   * the commands {@code auth} allows ({@code null}: every one, unaudited).
   */
  public static ControlConsumer create(KafkaClients clients, Topics topics, String groupId, ControlHandler handler,
      EventPublisher events, Auth auth) {
    Objects.requireNonNull(handler, "handler");
    return new ControlConsumer(clients.consumer("sparkgrid-control", Objects.requireNonNull(groupId, "groupId"), Map.of()),
        topics.control(), handler, events, auth);
  }

  @Override
  protected void handle(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, Long> next = new HashMap<>();
    Map<TopicPartition, Long> end = new HashMap<>();
    boolean storeDown = false;
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
      first.put(tp, list.get(0).offset());
      next.put(tp, list.get(0).offset());
      end.put(tp, list.get(list.size() - 1).offset() + 1);
      for (ConsumerRecord<byte[], byte[]> record : list) {
        if (storeDown || closing()) {
          break;
        }
        try {
          dispatch(record);
        } catch (JobStoreException e) {
          LOG.error("job store failed on control command {}-{}@{}; will read it again: {}", record.topic(),
              record.partition(), record.offset(), e.getMessage());
          storeDown = true;
          break;
        }
        next.put(tp, record.offset() + 1);
      }
    }
    commitAndRewind(first, next, end);
    if (storeDown) {
      backoff();
    }
  }

  private void dispatch(ConsumerRecord<byte[], byte[]> record) {
    Identity who = Identity.UNSIGNED;
    if (auth != null) {
      try {
        who = auth.authorizer().authenticate(SignedMessage.Kind.CONTROL, record.key(), record.value(),
            record.headers(), record.topic() + "-" + record.partition() + "@" + record.offset());
      } catch (Unauthorized u) {
        String job = jobOf(record);
        String word = textField(record.value(), "command");
        LOG.warn("control record {}-{}@{} refused: {}", record.topic(), record.partition(), record.offset(),
            u.getMessage());
        refuse(job, word, u.getMessage());
        audit(u.account() == null ? AuditRecord.UNSIGNED : u.account(), null, word, job, "unauthorized: " + u.getMessage());
        return;
      }
    }
    ControlCommand command;
    try {
      command = ControlCommand.fromJson(record.value() == null ? new byte[0] : record.value());
    } catch (IllegalArgumentException e) {
      LOG.warn("control record {}-{}@{} skipped: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
      String job = jobOf(record);
      String word = textField(record.value(), "command");
      refuse(job, word, e.getMessage());
      audit(who.auditAccount(), who.name(), word, job, e.getMessage());
      return;
    }
    if (auth != null) {
      try {
        auth.authorizer().authorizeCommand(who, command.command(), command.jobId(), auth.store().get(command.jobId()));
      } catch (Unauthorized u) {
        LOG.warn("control: {} {} refused: {}", command.command(), command.jobId(), u.getMessage());
        refuse(command.jobId(), command.command(), u.getMessage());
        audit(who.auditAccount(), who.name(), command.command(), command.jobId(), "unauthorized: " + u.getMessage());
        return;
      }
    }
    try {
      if (command instanceof ControlCommand.Cancel c) {
        handler.cancel(c.jobId());
      } else if (command instanceof ControlCommand.ExcludeSite x) {
        handler.excludeSite(x.jobId(), x.site());
      }
      LOG.info("control: {} {} done", command.command(), command.jobId());
      audit(who.auditAccount(), who.name(), command.command(), command.jobId(), null);
    } catch (JobStoreException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("control: {} {} refused: {}", command.command(), command.jobId(), e.getMessage());
      refuse(command.jobId(), command.command(), e.getMessage());
      audit(who.auditAccount(), who.name(), command.command(), command.jobId(), e.getMessage());
    }
  }

  /** The job a record is about: its {@code job} field, else its key, else empty. */
  private static String jobOf(ConsumerRecord<byte[], byte[]> record) {
    String job = textField(record.value(), "job");
    if (job == null && record.key() != null) {
      job = new String(record.key(), StandardCharsets.UTF_8);
    }
    return job == null ? "" : job;
  }

  /**
   * Appends a command's verdict to the audit (obeyed when {@code refusedBecause} is null); a store
   * failure here is logged, since the command was already decided.
   */
  private void audit(String account, String requester, String command, String jobId, String refusedBecause) {
    if (auth == null) {
      return;
    }
    try {
      auth.store().appendAudit(List.of(new AuditRecord(java.time.Instant.now(), account, requester,
          command == null ? "unknown" : command, jobId == null || jobId.isEmpty() ? null : jobId,
          refusedBecause == null, refusedBecause)));
    } catch (RuntimeException e) {
      LOG.error("control: the verdict on {} {} was not audited: {}", command, jobId, e.toString());
    }
  }

  /** Answers a refused command with a {@code command-refused} event; a failure to publish it is logged. */
  private void refuse(String jobId, String command, String reason) {
    if (events == null) {
      return;
    }
    try {
      events.publish(jobId, 0, new JobEvent.CommandRefused(command, reason == null ? "refused" : reason));
    } catch (RuntimeException e) {
      LOG.warn("command-refused event of job {} not published: {}", jobId, e.toString());
    }
  }

  /** The text of a top-level string field of a JSON object, or {@code null} if the bytes have none. */
  private static String textField(byte[] json, String field) {
    if (json == null) {
      return null;
    }
    try {
      JsonNode v = JSON.readTree(json).get(field);
      return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
