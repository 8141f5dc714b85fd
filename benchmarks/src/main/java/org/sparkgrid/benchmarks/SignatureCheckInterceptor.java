package org.sparkgrid.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * The signature check of a request, put into the real {@code RequestConsumer}'s poll (a Kafka
 * consumer interceptor runs on the consumer's thread, inside {@code poll}, before the records reach
 * the consumer): for each record, its four signature headers are read, the signer is recovered from
 * {@link SignedMessage#message} ({@link SignedMessage.Kind#REQUEST}, the record's key and value) with
 * {@link PersonalSignatures#RECOVERY}, and compared with the registered account. That is the
 * cryptographic work of the service's authorization, without its registry look-up and limits (a
 * map read and a few comparisons). A benchmark stand-in: it counts, it never refuses.
 *
 * <p>Settings (consumer properties): {@value #ACCOUNT} the account every record must recover to;
 * {@value #THREADS} 1 to verify on the consumer's thread, more to verify a poll's records on a pool
 * of that many threads. The consumer's producer (dead letters) gets the same settings, so this is a
 * producer interceptor too, one that does nothing.
 */
public final class SignatureCheckInterceptor
    implements ConsumerInterceptor<byte[], byte[]>, ProducerInterceptor<byte[], byte[]> {
  /** The account every record must recover to. */
  public static final String ACCOUNT = "sparkgrid.bench.signer";
  /** Threads that verify one poll's records. */
  public static final String THREADS = "sparkgrid.bench.verifyThreads";

  /** Records whose signature recovered the account, since the last {@link #reset()}. */
  static final AtomicLong VERIFIED = new AtomicLong();
  /** Records that did not, since the last {@link #reset()}. */
  static final AtomicLong REFUSED = new AtomicLong();

  private String account;
  private ForkJoinPool pool; // null: on the consumer's thread

  static void reset() {
    VERIFIED.set(0);
    REFUSED.set(0);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    account = SignedMessage.account(ACCOUNT, String.valueOf(configs.get(ACCOUNT)));
    if (configs.containsKey("acks")) {
      return; // the producer side: nothing to verify
    }
    int threads = Integer.parseInt(String.valueOf(configs.containsKey(THREADS) ? configs.get(THREADS) : "1"));
    pool = threads > 1 ? new ForkJoinPool(threads) : null;
  }

  @Override
  public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(records.count());
    records.forEach(all::add);
    if (pool == null) {
      all.forEach(this::verify);
    } else {
      try {
        pool.submit(() -> all.parallelStream().forEach(this::verify)).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    return records;
  }

  private void verify(ConsumerRecord<byte[], byte[]> r) {
    boolean ok;
    try {
      ok = SignatureHeaders.read(r.headers())
          .map(h -> h.recover(PersonalSignatures.RECOVERY, SignedMessage.Kind.REQUEST,
              new String(r.key(), StandardCharsets.UTF_8), r.value()))
          .map(account::equals).orElse(false);
    } catch (IllegalArgumentException e) {
      ok = false;
    }
    (ok ? VERIFIED : REFUSED).incrementAndGet();
  }

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    return record;
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {}

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
