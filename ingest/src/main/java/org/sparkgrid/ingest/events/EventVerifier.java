package org.sparkgrid.ingest.events;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;

/**
 * Decides whether a client believes one record of the events topic: it must be signed by the
 * configured service account ({@link SignedMessage.Kind#EVENT} over the record's key and value), be
 * an event of the record's job, and come in sequence: a job's {@code seq} must rise from one
 * accepted event to the next, and a {@code seq} 0 answer ({@code command-refused}) is accepted once
 * per nonce. No nonce is accepted twice. Everything else is a {@link DroppedEvent} naming the
 * reason. One verifier follows one stream of records (it remembers what it accepted); not
 * thread-safe.
 *
 * <pre>{@code
 * EventVerifier verifier = EventVerifier.of("0x90f8bf6a479f320ead074411a4b0e7944ea8c9c1", PersonalSignatures.RECOVERY);
 * EventVerifier.Verdict v = verifier.check(record.offset(), key, record.value(), record.headers());
 * if (v instanceof EventVerifier.Accepted a) {
 *   show(a.event());
 * } else {
 *   System.out.println(((EventVerifier.Dropped) v).dropped().message());
 * }
 * }</pre>
 *
 * <p>{@link #unverified()} checks no signature (a client configured with no service account): it
 * accepts every readable event, as clients did before events were signed.
 */
public final class EventVerifier {

  /** What {@link #check} decided. */
  public sealed interface Verdict permits Accepted, Dropped {}

  /** The record is an event the client may believe. */
  public record Accepted(JobEvent event) implements Verdict {}

  /** The record is not believed. */
  public record Dropped(DroppedEvent dropped) implements Verdict {}

  private final String serviceAccount; // empty: unverified
  private final SignatureRecovery recovery;
  private final Map<String, Long> lastSeq = new HashMap<>();
  private final Map<String, Long> nonces = new HashMap<>(); // nonce -> seq of the event that used it

  private EventVerifier(String serviceAccount, SignatureRecovery recovery) {
    this.serviceAccount = serviceAccount;
    this.recovery = recovery;
  }

  /**
   * A verifier that believes only events signed by {@code serviceAccount}.
   *
   * @throws IllegalArgumentException if {@code serviceAccount} is not {@code 0x} and 40 hex digits
   */
  public static EventVerifier of(String serviceAccount, SignatureRecovery recovery) {
    return new EventVerifier(SignedMessage.account("spark.sparkgrid.events.serviceAccount", serviceAccount),
        Objects.requireNonNull(recovery, "recovery"));
  }

  /** A verifier that checks no signature and no sequence: every readable event is accepted. */
  public static EventVerifier unverified() {
    return new EventVerifier("", null);
  }

  /** Whether this verifier checks signatures (it was given a service account). */
  public boolean verifies() {
    return !serviceAccount.isEmpty();
  }

  /** The service account believed; empty for {@link #unverified()}. */
  public String serviceAccount() {
    return serviceAccount;
  }

  /**
   * Checks one record of the events topic and, when it accepts it, remembers its seq and nonce.
   *
   * @param offset  the record's offset, for the drop report (-1 if unknown)
   * @param key     the record's key as text (the job id)
   * @param value   the record's value (the event's JSON)
   * @param headers the record's headers
   */
  public Verdict check(long offset, String key, byte[] value, Headers headers) {
    String job = key == null ? "" : key;
    Optional<SignatureHeaders> signed = Optional.empty();
    if (verifies()) {
      try {
        signed = SignatureHeaders.read(headers);
      } catch (IllegalArgumentException e) {
        return drop(job, offset, DroppedEvent.Reason.BAD_SIGNATURE, e.getMessage());
      }
      if (signed.isEmpty()) {
        return drop(job, offset, DroppedEvent.Reason.UNSIGNED, "no " + SignedMessage.SIGNATURE_HEADER + " header");
      }
      Optional<DroppedEvent> bad = signature(job, offset, value == null ? new byte[0] : value, signed.get());
      if (bad.isPresent()) {
        return new Dropped(bad.get());
      }
    }
    JobEvent event;
    try {
      event = JobEvent.fromJson(value == null ? new byte[0] : value);
    } catch (RuntimeException e) {
      return drop(job, offset, DroppedEvent.Reason.UNREADABLE, "not an event: " + e.getMessage());
    }
    if (!event.jobId().equals(job)) {
      return drop(job, offset, DroppedEvent.Reason.UNREADABLE,
          "its job field '" + event.jobId() + "' is not the record's key '" + job + "'");
    }
    if (signed.isPresent()) {
      Optional<DroppedEvent> out = sequence(job, offset, event.seq(), signed.get().nonce());
      if (out.isPresent()) {
        return new Dropped(out.get());
      }
    }
    return new Accepted(event);
  }

  /** Whether {@code h} is the service's signature of this key and value; the drop if not. */
  private Optional<DroppedEvent> signature(String job, long offset, byte[] value, SignatureHeaders h) {
    String recovered;
    try {
      recovered = h.recover(recovery, SignedMessage.Kind.EVENT, job, value);
    } catch (IllegalArgumentException e) {
      return Optional.of(dropped(job, offset, DroppedEvent.Reason.BAD_SIGNATURE, e.getMessage()));
    }
    if (recovered.equals(serviceAccount)) {
      return Optional.empty();
    }
    if (recovered.equalsIgnoreCase(h.signer())) {
      return Optional.of(dropped(job, offset, DroppedEvent.Reason.WRONG_SIGNER, "signed by " + recovered));
    }
    return Optional.of(dropped(job, offset, DroppedEvent.Reason.BAD_SIGNATURE, "it recovers " + recovered
        + ", not the claimed signer " + h.signer() + ": the record was changed after it was signed"));
  }

  /**
   * Whether a service-signed event comes in sequence: a fresh nonce and, unless seq is 0, a seq above
   * the job's last accepted one. When it does, remembers both.
   */
  private Optional<DroppedEvent> sequence(String job, long offset, long seq, String nonce) {
    Long usedBy = nonces.get(nonce);
    if (usedBy != null) {
      return Optional.of(dropped(job, offset, DroppedEvent.Reason.REPLAYED,
          "nonce " + nonce + " was already used by event #" + usedBy));
    }
    long last = lastSeq.getOrDefault(job, 0L);
    if (seq != 0 && seq <= last) {
      return Optional.of(dropped(job, offset, DroppedEvent.Reason.OUT_OF_SEQUENCE,
          "event #" + seq + " after event #" + last));
    }
    nonces.put(nonce, seq);
    if (seq > 0) {
      lastSeq.put(job, seq);
    }
    return Optional.empty();
  }

  private Dropped drop(String job, long offset, DroppedEvent.Reason reason, String detail) {
    return new Dropped(dropped(job, offset, reason, detail));
  }

  private DroppedEvent dropped(String job, long offset, DroppedEvent.Reason reason, String detail) {
    return new DroppedEvent(job, offset, reason, detail, serviceAccount);
  }

  /** The key of a record as text, as {@link #check} takes it. */
  public static String key(byte[] key) {
    return key == null ? "" : new String(key, StandardCharsets.UTF_8);
  }
}
