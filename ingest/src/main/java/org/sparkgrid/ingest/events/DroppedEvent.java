package org.sparkgrid.ingest.events;

import java.util.Objects;

/**
 * A record on the events topic that a client did not believe, and why ({@link EventVerifier}).
 * {@link #message()} is the line the CLI prints, e.g.
 * {@code ignored an event for local.job-1 not signed by the service 0x90f8...c1: wrong signer (signed by 0x7099...c8)}.
 *
 * @param jobId          the record's key (the job it claims to be about)
 * @param offset         the record's offset on the events topic; -1 if not from Kafka
 * @param reason         why it was dropped
 * @param detail         what exactly failed, naming the value
 * @param serviceAccount the service account the client believes; empty when it verifies nothing
 *                       (then only unreadable records are dropped)
 */
public record DroppedEvent(String jobId, long offset, Reason reason, String detail, String serviceAccount) {

  public DroppedEvent {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
  }

  /** Why an event was dropped; {@link #wire()} is the word in the message. */
  public enum Reason {
    /** No {@code sparkgrid.signature} header. */
    UNSIGNED("unsigned"),
    /** A valid signature, by another account than the service. */
    WRONG_SIGNER("wrong signer"),
    /** A malformed signature or headers, or a signature that does not recover the claimed signer (changed after signing). */
    BAD_SIGNATURE("bad signature"),
    /** Signed by the service, but its nonce was already accepted: a copy of an earlier event. */
    REPLAYED("replayed"),
    /** Signed by the service, but its sequence number is not above the job's last accepted one. */
    OUT_OF_SEQUENCE("out of sequence"),
    /** Signed by the service (or not checked), but not an event of the record's job. */
    UNREADABLE("unreadable");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }

    /** The reason as the drop message words it. */
    public String wire() {
      return wire;
    }

    /** Whether the record was not signed by the service at all (rather than signed, but out of place). */
    public boolean notByService() {
      return this == UNSIGNED || this == WRONG_SIGNER || this == BAD_SIGNATURE;
    }
  }

  /**
   * One line: {@code ignored an event for JOB not signed by the service 0x...: REASON (DETAIL)} when the
   * service did not sign it, else {@code ignored an event for JOB signed by the service 0x... but REASON (DETAIL)};
   * without a service account, {@code ignored an event for JOB: REASON (DETAIL)}.
   */
  public String message() {
    if (serviceAccount.isEmpty()) {
      return "ignored an event for " + jobId + ": " + reason.wire() + " (" + detail + ")";
    }
    return "ignored an event for " + jobId + (reason.notByService() ? " not signed by the service " : " signed by the service ")
        + serviceAccount + (reason.notByService() ? ": " : " but ") + reason.wire() + " (" + detail + ")";
  }
}
