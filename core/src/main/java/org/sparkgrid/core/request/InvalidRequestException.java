package org.sparkgrid.core.request;

/**
 * A training request that SparkGrid refuses, naming the field and the value.
 *
 * <p>The message is {@code <field>: <reason>}, for example
 * {@code training.batchSize: must be between 1 and 65536, got 0}; it is what goes into the
 * dead-letter topic's reason header. {@link UnauthorizedRequestException} is the kind that asks for more than
 * its sender may have.
 */
public class InvalidRequestException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** The field path of problems with the document as a whole (not JSON, not an object). */
  public static final String ROOT = "$";

  private final String field;
  private final String value;

  /**
   * @param field  dotted path of the field, e.g. {@code training.updater.learningRate}, or
   *               {@value #ROOT} for the whole document
   * @param value  the offending value as text, {@code null} when the field is missing
   * @param reason what is wrong, e.g. {@code must be between 1 and 65536, got 0}
   */
  public InvalidRequestException(String field, String value, String reason) {
    super(field + ": " + reason);
    this.field = field;
    this.value = value;
  }

  /** Dotted path of the offending field, e.g. {@code training.updater.learningRate}, or {@value #ROOT}. */
  public String field() {
    return field;
  }

  /**
   * The offending value as text: a JSON string's content without quotes, any other JSON value as
   * JSON text; {@code null} when the field is missing.
   */
  public String value() {
    return value;
  }
}
