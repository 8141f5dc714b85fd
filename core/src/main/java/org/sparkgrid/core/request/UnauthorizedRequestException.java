package org.sparkgrid.core.request;

/**
 * A well-formed request that asks for more than its sender may have: a federation the operator did
 * not register, a site or account the registered federation does not hold, a reward pool over its
 * cap, more tokens than its budget. Like every {@link InvalidRequestException} it names the field
 * and the value; the service's request consumer sends it to the dead-letter topic with reason
 * {@code unauthorized} rather than {@code unrunnable-request}.
 *
 * <pre>{@code
 * throw new UnauthorizedRequestException("reward.poolPerRound", "5000",
 *     "5000 is over the cap of registered federation 'fmnist-10': at most 1000 per round");
 * }</pre>
 */
public final class UnauthorizedRequestException extends InvalidRequestException {

  private static final long serialVersionUID = 1L;

  /**
   * @param field  dotted path of the field, e.g. {@code reward.poolPerRound}
   * @param value  the offending value as text, {@code null} when the field is missing
   * @param reason what the sender may not do, e.g. {@code 5000 is over the cap ...}
   */
  public UnauthorizedRequestException(String field, String value, String reason) {
    super(field, value, reason);
  }
}
