package org.sparkgrid.jobs.data;

import java.io.IOException;

/**
 * A data file that exists but whose content is wrong: a bad magic number, a truncated body, a value
 * that is not a number, a label out of range. The message names the file and, where there is one,
 * the line or example and the offending value.
 *
 * <p>It is an {@link IOException} so that every reader in this package fails with one checked type:
 * {@code IOException} from the file system (a missing file is a {@link java.io.FileNotFoundException}
 * naming every path tried), {@code InvalidDataException} for a file whose content is wrong.
 */
public class InvalidDataException extends IOException {

  private static final long serialVersionUID = 1L;

  /** @param message what is wrong, naming the file and the position */
  public InvalidDataException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong, naming the file and the position
   * @param cause   the lower-level failure (a corrupt gzip stream, for instance)
   */
  public InvalidDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
