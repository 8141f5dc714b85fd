package org.sparkgrid.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The dead-letter topic's record: a refused request's original key, value and headers, plus these
 * headers (UTF-8 text):
 *
 * <table>
 *   <caption>dead-letter headers</caption>
 *   <tr><td>{@value #REASON}</td><td>{@link Refusal.Reason#wire()}, e.g. {@code invalid-json}</td></tr>
 *   <tr><td>{@value #FIELD}</td><td>the offending field, {@code $} for the whole record</td></tr>
 *   <tr><td>{@value #VALUE}</td><td>the offending value, when there is one (cut to {@value #MAX_HEADER_CHARS} characters)</td></tr>
 *   <tr><td>{@value #MESSAGE}</td><td>what is wrong, naming field and value (cut likewise)</td></tr>
 *   <tr><td>{@value #SOURCE_TOPIC}, {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}</td>
 *       <td>where the request was read</td></tr>
 *   <tr><td>{@value #VALUE_DROPPED}</td><td>only when the original value was too large for the
 *       dead-letter topic and was left out: its size in bytes</td></tr>
 * </table>
 */
public final class DeadLetter {

  public static final String REASON = "sparkgrid.error.reason";
  public static final String FIELD = "sparkgrid.error.field";
  public static final String VALUE = "sparkgrid.error.value";
  public static final String MESSAGE = "sparkgrid.error.message";
  public static final String SOURCE_TOPIC = "sparkgrid.source.topic";
  public static final String SOURCE_PARTITION = "sparkgrid.source.partition";
  public static final String SOURCE_OFFSET = "sparkgrid.source.offset";
  public static final String VALUE_DROPPED = "sparkgrid.error.value-dropped";

  /** Longest text in a header; longer is cut and ends with "...". */
  public static final int MAX_HEADER_CHARS = 1000;

  private DeadLetter() {}

  /** The dead-letter record for a refused record: its key, value and headers, plus the reason headers. */
  public static ProducerRecord<byte[], byte[]> of(String topic, ConsumerRecord<byte[], byte[]> refused, Refusal why) {
    return build(topic, refused, why, refused.value());
  }

  /** As {@link #of}, without the value (for a value too large for the dead-letter topic). */
  static ProducerRecord<byte[], byte[]> withoutValue(String topic, ConsumerRecord<byte[], byte[]> refused, Refusal why) {
    ProducerRecord<byte[], byte[]> r = build(topic, refused, why, null);
    r.headers().add(VALUE_DROPPED, utf8(String.valueOf(refused.value() == null ? 0 : refused.value().length)));
    return r;
  }

  private static ProducerRecord<byte[], byte[]> build(String topic, ConsumerRecord<byte[], byte[]> refused, Refusal why,
      byte[] value) {
    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, refused.key(), value);
    for (Header h : refused.headers()) {
      r.headers().add(h);
    }
    r.headers().add(REASON, utf8(why.reason().wire()));
    r.headers().add(FIELD, utf8(cut(why.field())));
    if (why.value() != null) {
      r.headers().add(VALUE, utf8(cut(why.value())));
    }
    r.headers().add(MESSAGE, utf8(cut(why.message())));
    r.headers().add(SOURCE_TOPIC, utf8(refused.topic()));
    r.headers().add(SOURCE_PARTITION, utf8(String.valueOf(refused.partition())));
    r.headers().add(SOURCE_OFFSET, utf8(String.valueOf(refused.offset())));
    return r;
  }

  private static String cut(String s) {
    return s.length() <= MAX_HEADER_CHARS ? s : s.substring(0, MAX_HEADER_CHARS - 3) + "...";
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
