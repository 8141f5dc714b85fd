package org.sparkgrid.ingest.auth;

/**
 * Why a record was not attributed to a registered requester within its rights. Each refusal's
 * message starts with the kind's {@link #wire()} and a colon, e.g. {@code unknown-account: 0x... is
 * not in the requester registry}.
 */
public enum Denial {
  /** A signature header is missing (or all of them). */
  UNSIGNED("unsigned"),
  /** A signature header that cannot be read: a timestamp that is not a number, a bad nonce ... */
  MALFORMED_HEADER("malformed-header"),
  /** The signature was not made by the signer header's account over this key and value. */
  BAD_SIGNATURE("bad-signature"),
  /** The signing account is not in the registry. */
  UNKNOWN_ACCOUNT("unknown-account"),
  /** The timestamp is further from the service's clock than the skew window. */
  EXPIRED("expired"),
  /** The account used the nonce before. */
  REPLAYED("replayed"),
  /** The requester lacks the role for what it asked. */
  ROLE_MISSING("role-missing"),
  /** The request id is not in the requester's namespace. */
  OUTSIDE_NAMESPACE("outside-namespace"),
  /** The request asks for more than one of the requester's limits. */
  OVER_LIMIT("over-limit"),
  /** A command about a job the requester did not submit, and it is no admin. */
  NOT_OWNER("not-owner");

  private final String wire;

  Denial(String wire) {
    this.wire = wire;
  }

  /** How a refusal message starts. */
  public String wire() {
    return wire;
  }
}
