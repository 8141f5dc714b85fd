package org.sparkgrid.ingest.auth;

import java.util.Objects;
import org.sparkgrid.ingest.Refusal;

/**
 * A record the {@link Authorizer} refuses: its {@link Denial}, the header or request field at
 * fault and its value, and a message that starts with the denial's wire name.
 */
public final class Unauthorized extends Exception {
  private static final long serialVersionUID = 1L;

  private final Denial denial;
  private final String field;
  private final String value;
  private final String account;

  /**
   * @param account the account that signed or claims to have signed, {@code null} if none
   * @param detail  what failed, naming the field and the value
   */
  public Unauthorized(Denial denial, String field, String value, String account, String detail) {
    super(denial.wire() + ": " + detail);
    this.denial = Objects.requireNonNull(denial, "denial");
    this.field = Objects.requireNonNull(field, "field");
    this.value = value;
    this.account = account;
  }

  public Denial denial() {
    return denial;
  }

  /** The header or request field at fault. */
  public String field() {
    return field;
  }

  /** Its value as text, {@code null} when missing. */
  public String value() {
    return value;
  }

  /** The account that signed or claims to have signed, {@code null} if the record has none. */
  public String account() {
    return account;
  }

  /** As the dead-letter topic's refusal: reason {@code unauthorized}. */
  public Refusal refusal() {
    return new Refusal(Refusal.Reason.UNAUTHORIZED, field, value, getMessage());
  }
}
