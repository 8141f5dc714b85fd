package org.sparkgrid.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.core.auth.SignedMessage;

/**
 * The four signature headers of one Kafka record ({@link SignedMessage#SIGNATURE_HEADER},
 * {@link SignedMessage#SIGNER_HEADER}, {@link SignedMessage#TIMESTAMP_HEADER},
 * {@link SignedMessage#NONCE_HEADER}): made by signing a record's key and value, written to and read
 * from the record's headers. The signed text is {@link SignedMessage#message}; this class only moves
 * it in and out of Kafka.
 *
 * <pre>{@code
 * ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, value);
 * SignatureHeaders.sign(signer, SignedMessage.Kind.REQUEST, "alice.job-1", value, System.currentTimeMillis())
 *     .addTo(record.headers());
 * // reading side:
 * Optional<SignatureHeaders> h = SignatureHeaders.read(consumerRecord.headers());
 * String who = h.get().recover(PersonalSignatures.RECOVERY, SignedMessage.Kind.REQUEST, key, value);
 * }</pre>
 *
 * @param signature {@code 0x} + r, s, v (as given: checked by the recovery, not here)
 * @param signer    the account that claims to have signed (as given)
 * @param timestamp the signing time, milliseconds since the epoch
 * @param nonce     the signer's one-time nonce (as given: checked by {@link SignedMessage#message})
 */
public record SignatureHeaders(String signature, String signer, long timestamp, String nonce) {

  public SignatureHeaders {
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(nonce, "nonce");
  }

  /**
   * Signs one record: a fresh nonce ({@link SignedMessage#newNonce()}) and {@code timestampMillis}.
   *
   * @param key the record's key as text (the request or job id)
   */
  public static SignatureHeaders sign(MessageSigner signer, SignedMessage.Kind kind, String key, byte[] value,
      long timestampMillis) {
    String nonce = SignedMessage.newNonce();
    String signature = signer.sign(SignedMessage.message(kind, key, timestampMillis, nonce, value));
    return new SignatureHeaders(signature, signer.account(), timestampMillis, nonce);
  }

  /** Adds the four headers to {@code headers}, replacing any of the same names. */
  public void addTo(Headers headers) {
    put(headers, SignedMessage.SIGNATURE_HEADER, signature);
    put(headers, SignedMessage.SIGNER_HEADER, signer);
    put(headers, SignedMessage.TIMESTAMP_HEADER, Long.toString(timestamp));
    put(headers, SignedMessage.NONCE_HEADER, nonce);
  }

  /**
   * The signature headers of a record; empty when it has no {@value SignedMessage#SIGNATURE_HEADER}
   * header (an unsigned record).
   *
   * @throws IllegalArgumentException if a signature is there but another of the four headers is
   *     missing or the timestamp is not a decimal number, naming the header and the value
   */
  public static Optional<SignatureHeaders> read(Headers headers) {
    String signature = last(headers, SignedMessage.SIGNATURE_HEADER);
    if (signature == null) {
      return Optional.empty();
    }
    String signer = required(headers, SignedMessage.SIGNER_HEADER);
    String time = required(headers, SignedMessage.TIMESTAMP_HEADER);
    String nonce = required(headers, SignedMessage.NONCE_HEADER);
    long timestamp;
    try {
      timestamp = Long.parseLong(time);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SignedMessage.TIMESTAMP_HEADER + ": must be milliseconds since the epoch,"
          + " a decimal number, got '" + (time.length() <= 40 ? time : time.substring(0, 40) + "...") + "'");
    }
    return Optional.of(new SignatureHeaders(signature, signer, timestamp, nonce));
  }

  /**
   * The account whose key signed this record (of {@code kind}, with {@code key} and {@code value}):
   * compare it with the account you expect. A record changed after signing recovers some other account.
   *
   * @throws IllegalArgumentException if the nonce, timestamp or signature is malformed, or the
   *     signature recovers no key, saying which
   */
  public String recover(SignatureRecovery recovery, SignedMessage.Kind kind, String key, byte[] value) {
    return recovery.signer(SignedMessage.message(kind, key, timestamp, nonce, value), signature);
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String required(Headers headers, String name) {
    String v = last(headers, name);
    if (v == null) {
      throw new IllegalArgumentException(name + ": missing, while the record has a " + SignedMessage.SIGNATURE_HEADER
          + " header (a signed record carries all four sparkgrid.* signature headers)");
    }
    return v;
  }

  private static String last(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
