package org.sparkgrid.ingest;

import java.io.IOException;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * A check that {@link RequestConsumer} runs on each parsed request before it is stored, for what
 * the codec cannot see: whether its data paths exist and hold what the format says, whether its
 * federation file is consistent. A refused request goes to the dead-letter topic with reason
 * {@code unrunnable-request} (or {@code unauthorized}, when the check throws an
 * {@code UnauthorizedRequestException}) and the field and value the check named; nothing is stored. The check
 * must be fast (it runs on the consumer's thread): a header read, never a data read.
 *
 * <pre>{@code
 * RequestCheck dataExists = r -> RequestCodec.checkPaths(r, p -> Files.exists(Path.of(URI.create(p))));
 * RequestConsumer.builder("localhost:9092", store, events).check(dataExists).build();
 * }</pre>
 */
@FunctionalInterface
public interface RequestCheck {

  /** Accepts every request: the default. */
  RequestCheck NONE = r -> { };

  /**
   * Checks one request.
   *
   * @throws InvalidRequestException naming the field and the value if the request would fail
   * @throws IOException if the check cannot tell (the file system is down): not a refusal; the
   *     consumer reads the request again after its retry backoff
   */
  void check(TrainingRequest request) throws IOException;
}
