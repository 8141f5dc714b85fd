package org.sparkgrid.core.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.sparkgrid.core.request.DataSpec.Format;

/**
 * Reads, checks and writes training requests (schema {@value #SCHEMA_VERSION}). This class is the
 * definition of the request format; DESIGN.md only sketches it.
 *
 * <pre>{@code
 * TrainingRequest r = RequestCodec.parse("""
 *     {"schema": 1, "id": "fmnist-mlp-0001",
 *      "model": {"name": "fmnist-mlp", "architecture": "mlp"},
 *      "data": {"format": "idx", "train": "file:/usr/share/datasets/fashion-mnist/train"},
 *      "training": {"epochs": 5}}""");
 * r.training().batchSize();                      // 64, the default
 * RequestCodec.checkPaths(r, p -> Files.exists(Path.of(URI.create(p))));
 * byte[] canonical = RequestCodec.write(r);      // every default written out
 * TrainingRequest trial = RequestCodec.withOverrides(r, Map.of("training.updater.learningRate", 0.005));
 * }</pre>
 *
 * <p>Every refusal is an {@link InvalidRequestException} whose message is {@code <field>: <reason>}
 * with the field's dotted path and the offending value, e.g.
 * {@code training.batchSize: must be between 1 and 65536, got 0}. A JSON {@code null} is read as
 * an absent field. The field-by-field rules are listed on the record components' javadoc; the
 * rules between fields are those of {@code RequestReader.checkCrossFieldRules}:
 * <ul>
 *   <li>{@code model.mlp}, {@code model.cnn}, {@code model.dl4j}: only the one named by
 *       {@code model.architecture} (when absent, mlp and cnn take their defaults; dl4j is required);
 *       a convolution's stride is at most its kernel
 *   <li>{@code data.labelColumn}, {@code data.header}: csv only
 *   <li>{@code engine.resources}: only with {@code engine.type} sparkgrid
 *   <li>{@code mode} tree requires {@code federation}; {@code federation} only in mode tree
 *   <li>{@code federation}: exactly one of {@code name} (a registered federation) and {@code sites}
 *       (a federation file); {@code siteIds} only with {@code name}
 *   <li>{@code sweep.trials}: required for method random, refused for grid; a swept
 *       {@code model.mlp.*} or {@code model.cnn.*} field needs that architecture; every swept
 *       value passes its field's own check and appears once in its list
 *   <li>{@code sweep}: mode compute only; requires {@code data.test} (trials are compared on it);
 *       a grid has at most {@value SweepSpec#MAX_TRIALS} combinations, a random sweep at most as
 *       many trials as there are combinations; the {@code id} has at most
 *       {@value SweepTrials#MAX_JOB_ID_LENGTH} characters, so that trial ids fit
 * </ul>
 */
public final class RequestCodec {

  /** The only request schema this SparkGrid reads. */
  public static final int SCHEMA_VERSION = 1;

  /** {@code training.updater} when absent: adam, learning rate 0.001 (momentum 0.9, unused by adam). */
  public static final UpdaterSpec DEFAULT_UPDATER = new UpdaterSpec("adam", 0.001, 0.9);

  /** {@code engine} when absent: SparkGrid's engine, 2 workers, averaging every 10 minibatches, shuffling. */
  public static final EngineSpec DEFAULT_ENGINE = new EngineSpec(EngineSpec.SPARKGRID, 2, 10, true);

  /** {@code federation.strategy} when absent: FedAvg (weighted by examples), no parameters. */
  public static final StrategySpec DEFAULT_STRATEGY = new StrategySpec("fedavg", Map.of());

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private RequestCodec() {}

  /** Checks whether a path exists, e.g. on a Hadoop FileSystem; {@link #checkPaths} calls it. */
  @FunctionalInterface
  public interface PathChecker {
    /**
     * @param path a path exactly as a request names it (with suffixes added for idx files)
     * @throws IOException if existence cannot be determined (the store is down): not a refusal
     */
    boolean exists(String path) throws IOException;
  }

  /**
   * Reads and checks a request from UTF-8 JSON bytes (a Kafka record's value).
   *
   * @throws InvalidRequestException if the bytes are not UTF-8 or the request is refused; see {@link #parse(String)}
   */
  public static TrainingRequest parse(byte[] json) {
    Objects.requireNonNull(json, "json");
    return parse(decodeUtf8(json));
  }

  /**
   * Reads and checks a request.
   *
   * @return the request with every default filled in
   * @throws InvalidRequestException naming the field ({@value InvalidRequestException#ROOT} for the
   *     whole document) if the text is not one JSON object, has unknown fields, wrong JSON types,
   *     out-of-range or missing values, or breaks a rule between fields; {@code federation.strategy}
   *     is checked by {@link StrategyCatalog#installed()}
   */
  public static TrainingRequest parse(String json) {
    return parse(json, StrategyCatalog.installed());
  }

  /** {@link #parse(String)} with {@code federation.strategy} checked by {@code strategies}. */
  static TrainingRequest parse(String json, StrategyCatalog strategies) {
    Objects.requireNonNull(json, "json");
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
      throw new InvalidRequestException(InvalidRequestException.ROOT, null,
          "not valid JSON" + where + ": " + e.getOriginalMessage());
    }
    return RequestReader.read(root, strategies);
  }

  /**
   * Writes a request as canonical JSON (UTF-8): every field, defaults included, in schema order;
   * {@code parse(write(r))} equals {@code r} for every {@code r} that {@code parse} returned. Does
   * not check {@code r}.
   */
  public static byte[] write(TrainingRequest r) {
    try {
      return MAPPER.writeValueAsBytes(RequestWriter.write(r, MAPPER));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write request " + r.id(), e); // a tree always serializes
    }
  }

  /**
   * The values {@code federation.strategy.type} accepts: those of {@link StrategyCatalog#installed()},
   * empty when none is installed (then any type passes the codec and is checked when the job runs).
   */
  public static List<String> strategyTypes() {
    return StrategyCatalog.installed().types();
  }

  /** The dotted request paths a sweep may vary and {@link #withOverrides} may set. */
  public static Set<String> sweepableFields() {
    return RequestFields.SWEEPABLE.keySet();
  }

  /**
   * A copy of {@code r} with sweepable fields replaced, checked as a whole, e.g. one trial of a
   * sweep: {@code withOverrides(r, Map.of("training.batchSize", 128))}. Everything else, the sweep
   * included, is kept.
   *
   * @param overrides dotted path (one of {@link #sweepableFields()}) to value: Integer, Long,
   *     Double or String as the field's JSON type requires
   * @throws InvalidRequestException naming the path if it is not sweepable, or the field if the
   *     result is refused (a wrong type, out of range, {@code model.cnn.*} for an mlp ...)
   */
  public static TrainingRequest withOverrides(TrainingRequest r, Map<String, ?> overrides) {
    ObjectNode tree = RequestWriter.write(r, MAPPER);
    for (Map.Entry<String, ?> e : overrides.entrySet()) {
      String path = e.getKey();
      if (!RequestFields.SWEEPABLE.containsKey(path)) {
        throw new InvalidRequestException(path, Objects.toString(e.getValue(), null),
            "not a sweepable field; sweepable: " + String.join(", ", RequestFields.SWEEPABLE.keySet()));
      }
      if (e.getValue() == null) {
        throw new InvalidRequestException(path, null, "an override must not be null");
      }
      ObjectNode parent = tree;
      String[] parts = path.split("\\.");
      for (int i = 0; i < parts.length - 1; i++) {
        JsonNode child = parent.get(parts[i]);
        parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
      }
      parent.set(parts[parts.length - 1], MAPPER.valueToTree(e.getValue()));
    }
    return RequestReader.read(tree, StrategyCatalog.installed());
  }

  /**
   * Refuses a request whose data or federation file does not exist. For idx data a path is a
   * prefix, and both {@code <prefix>-images-idx3-ubyte} and {@code <prefix>-labels-idx1-ubyte}
   * must exist, each plain or with {@code .gz}.
   *
   * @throws InvalidRequestException naming {@code data.train}, {@code data.test} or
   *     {@code federation.sites} and the missing file
   * @throws IOException if the checker cannot tell (the request may be fine: retry, don't refuse)
   */
  public static void checkPaths(TrainingRequest r, PathChecker checker) throws IOException {
    checkData("data.train", r.data().train(), r.data().format(), checker);
    if (r.data().test() != null) {
      checkData("data.test", r.data().test(), r.data().format(), checker);
    }
    if (r.federation() != null && r.federation().sites() != null && !checker.exists(r.federation().sites())) {
      throw new InvalidRequestException("federation.sites", r.federation().sites(),
          r.federation().sites() + " does not exist");
    }
  }

  private static void checkData(String field, String path, Format format, PathChecker checker) throws IOException {
    if (format == Format.IDX) {
      for (String suffix : new String[] {"-images-idx3-ubyte", "-labels-idx1-ubyte"}) {
        String file = path + suffix;
        if (!checker.exists(file) && !checker.exists(file + ".gz")) {
          throw new InvalidRequestException(field, path, file + " does not exist (nor " + file + ".gz)");
        }
      }
    } else if (!checker.exists(path)) {
      throw new InvalidRequestException(field, path, path + " does not exist");
    }
  }

  private static String decodeUtf8(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has more UTF-16 chars than bytes
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw new InvalidRequestException(InvalidRequestException.ROOT, null,
          "not valid UTF-8: malformed bytes at offset " + in.position());
    }
    return out.flip().toString();
  }
}
