package org.sparkgrid.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * What {@link RequestConsumer} decides for each record, without any I/O: accept the request, or
 * refuse it with a {@link Refusal}. The checks, in order (the first failing one names the refusal):
 *
 * <ol>
 *   <li>a value is present ({@code invalid-json} otherwise) and at most {@code maxRequestBytes} long ({@code too-large})
 *   <li>the value is UTF-8 ({@code invalid-utf8}) and one JSON document ({@code invalid-json})
 *   <li>its {@code schema} is one this SparkGrid reads ({@code unsupported-schema})
 *   <li>{@link RequestCodec#parse(String)} accepts it ({@code invalid-request}, naming the field)
 *   <li>the record has a key ({@code missing-key}) and it is the request's id ({@code key-mismatch})
 *   <li>the {@value #PRIORITY_HEADER} header, if present, is an integer in
 *       [{@value #MIN_PRIORITY}, {@value #MAX_PRIORITY}] ({@code invalid-header})
 * </ol>
 *
 * <pre>{@code
 * RequestRouter router = new RequestRouter(RequestRouter.DEFAULT_MAX_REQUEST_BYTES);
 * RequestRouter.Route r = router.route(record.key(), record.value(), null);
 * if (r instanceof Refusal f) System.out.println(f.reason().wire() + " " + f.message());
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class RequestRouter {

  /** The default limit on a request's size: 1 MiB, about Kafka's own default message limit. */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

  /** Optional record header with the job's priority, a decimal integer; higher runs first. */
  public static final String PRIORITY_HEADER = "sparkgrid.priority";

  public static final int MIN_PRIORITY = -1000;
  public static final int MAX_PRIORITY = 1000;

  private static final String NOT_JSON = InvalidRequestException.ROOT + ": not valid JSON";

  private final int maxRequestBytes;

  /** @throws IllegalArgumentException if {@code maxRequestBytes < 1} */
  public RequestRouter(int maxRequestBytes) {
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException("maxRequestBytes must be at least 1, got " + maxRequestBytes);
    }
    this.maxRequestBytes = maxRequestBytes;
  }

  /** The outcome for one record: {@link Accepted} or {@link Refusal}. */
  public sealed interface Route permits Accepted, Refusal {}

  /** A request to enqueue, with its priority (0 when the record has no priority header). */
  public record Accepted(TrainingRequest request, int priority) implements Route {}

  /**
   * Decides one record.
   *
   * @param key            the record's key, may be {@code null}
   * @param value          the record's value, may be {@code null}
   * @param priorityHeader the last {@value #PRIORITY_HEADER} header's value, {@code null} if none
   */
  public Route route(byte[] key, byte[] value, byte[] priorityHeader) {
    String root = InvalidRequestException.ROOT;
    if (value == null) {
      return new Refusal(Refusal.Reason.INVALID_JSON, root, null, root + ": the record has no value");
    }
    if (value.length > maxRequestBytes) {
      return new Refusal(Refusal.Reason.TOO_LARGE, root, null,
          root + ": the request is " + value.length + " bytes, more than the limit of " + maxRequestBytes);
    }
    String text;
    try {
      text = decodeUtf8(value);
    } catch (CharacterCodingException e) {
      return new Refusal(Refusal.Reason.INVALID_UTF8, root, null, root + ": not valid UTF-8");
    }
    TrainingRequest request;
    try {
      request = RequestCodec.parse(text);
    } catch (InvalidRequestException e) {
      return new Refusal(reasonOf(e), e.field(), e.value(), e.getMessage());
    }
    if (key == null || key.length == 0) {
      return new Refusal(Refusal.Reason.MISSING_KEY, "key", null,
          "key: the record has no key; it must be the request id " + request.id());
    }
    String keyText = new String(key, StandardCharsets.UTF_8);
    if (!keyText.equals(request.id())) {
      return new Refusal(Refusal.Reason.KEY_MISMATCH, "key", keyText,
          "key: must be the request id " + request.id() + ", got " + keyText);
    }
    int priority = 0;
    if (priorityHeader != null) {
      String p = new String(priorityHeader, StandardCharsets.UTF_8);
      try {
        priority = Integer.parseInt(p.trim());
      } catch (NumberFormatException e) {
        priority = Integer.MIN_VALUE;
      }
      if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
        return new Refusal(Refusal.Reason.INVALID_HEADER, PRIORITY_HEADER, p, PRIORITY_HEADER
            + ": must be an integer between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", got " + p);
      }
    }
    return new Accepted(request, priority);
  }

  /** The refusal kind of a codec refusal: not JSON, an unknown schema, or any other invalid request. */
  static Refusal.Reason reasonOf(InvalidRequestException e) {
    if (InvalidRequestException.ROOT.equals(e.field()) && e.getMessage().startsWith(NOT_JSON)) {
      return Refusal.Reason.INVALID_JSON;
    }
    if ("schema".equals(e.field()) && e.value() != null && e.value().matches("-?[0-9]+")) {
      return Refusal.Reason.UNSUPPORTED_SCHEMA; // an integer that is not a schema we read
    }
    return Refusal.Reason.INVALID_REQUEST;
  }

  private static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
    return chars.toString();
  }
}
