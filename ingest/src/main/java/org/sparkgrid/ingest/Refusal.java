package org.sparkgrid.ingest;

import java.util.Objects;

/**
 * Why a request record was refused; it goes to the dead-letter topic with these as headers
 * (see {@link DeadLetter}).
 *
 * @param reason  the kind of refusal
 * @param field   the offending field's dotted path, {@code $} for the whole record, or a key or
 *                header name ({@code key}, {@code sparkgrid.priority})
 * @param value   the offending value as text, {@code null} when missing or unprintable
 * @param message what is wrong, naming the field and the value, e.g.
 *                {@code training.batchSize: must be between 1 and 65536, got 0}
 */
public record Refusal(Reason reason, String field, String value, String message) implements RequestRouter.Route {

  public Refusal {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(message, "message");
  }

  /** The kinds of refusal; {@link #wire()} is the {@code sparkgrid.error.reason} header's value. */
  public enum Reason {
    /** No value at all (a tombstone), or bytes that are not JSON. */
    INVALID_JSON("invalid-json"),
    /** Bytes that are not UTF-8. */
    INVALID_UTF8("invalid-utf8"),
    /** More bytes than the consumer's limit. */
    TOO_LARGE("too-large"),
    /** A {@code schema} this SparkGrid does not read. */
    UNSUPPORTED_SCHEMA("unsupported-schema"),
    /** JSON that the request codec refuses: unknown field, wrong type, out of range, missing ... */
    INVALID_REQUEST("invalid-request"),
    /** A valid request in a record without a key; the key must be the request id. */
    MISSING_KEY("missing-key"),
    /** A valid request whose record key is not its id. */
    KEY_MISMATCH("key-mismatch"),
    /** A SparkGrid header with a bad value, e.g. {@code sparkgrid.priority: high}. */
    INVALID_HEADER("invalid-header"),
    /**
     * A valid request that the consumer's {@link RequestCheck} finds would fail: a data path that
     * does not exist or is not in its format, a federation file that does not fit the request.
     */
    UNRUNNABLE_REQUEST("unrunnable-request"),
    /**
     * A request the service cannot attribute to a registered requester within its roles and limits:
     * unsigned, a bad signature, an unknown account, expired, replayed, outside the requester's
     * namespace or over a limit; the message starts with which (see
     * {@link org.sparkgrid.ingest.auth.Denial}); or a valid request that asks for more than its
     * sender may have, e.g. a federation the operator did not register or a reward pool over the
     * registered cap ({@code UnauthorizedRequestException}).
     */
    UNAUTHORIZED("unauthorized");

    private final String wire;

    Reason(String wire) {
      this.wire = wire;
    }

    /** The value as it is written in the reason header. */
    public String wire() {
      return wire;
    }
  }
}
