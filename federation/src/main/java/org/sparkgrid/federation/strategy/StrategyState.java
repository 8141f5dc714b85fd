package org.sparkgrid.federation.strategy;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a strategy carries from one round to the next: how many rounds it has merged, and named
 * vectors such as FedAvgM's {@code momentum} or FedAdam's {@code m} and {@code v}. Stateless
 * strategies keep only the count. Immutable: strategies return a new state, built with
 * {@link #next}.
 *
 * <p>Checkpointable: {@link #toMap()} gives a JSON-ready map and {@link #fromMap} reads it back
 * exactly (vectors as {@link FloatCodec} Base64):
 * <pre>{@code
 * {"rounds": 3, "vectors": {"m": "zczMPQ...", "v": "bxKDOg..."}}
 * }</pre>
 *
 * @param rounds  aggregations done so far (0 before the first)
 * @param vectors named vectors, in insertion order; unmodifiable
 */
public record StrategyState(long rounds, Map<String, float[]> vectors) {

  /** The state before the first round: no rounds, no vectors. */
  public static final StrategyState EMPTY = new StrategyState(0, Map.of());

  /**
   * @throws IllegalArgumentException if {@code rounds < 0}
   * @throws NullPointerException if {@code vectors}, a name or a vector is null
   */
  public StrategyState {
    if (rounds < 0) {
      throw new IllegalArgumentException("rounds is " + rounds + "; must be >= 0");
    }
    Map<String, float[]> copy = new LinkedHashMap<>();
    vectors.forEach((name, v) -> copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(v, name)));
    vectors = Collections.unmodifiableMap(copy);
  }

  /** The state after one more round, holding {@code vectors} (none for a stateless strategy). */
  public StrategyState next(Map<String, float[]> vectors) {
    return new StrategyState(rounds + 1, vectors);
  }

  /** The named vector, or null if this state has none by that name. */
  public float[] vector(String name) {
    return vectors.get(name);
  }

  /** {@code {"rounds": long, "vectors": {name: Base64}}}, ready for Jackson. */
  public Map<String, Object> toMap() {
    Map<String, Object> encoded = new LinkedHashMap<>();
    vectors.forEach((name, v) -> encoded.put(name, FloatCodec.encode(v)));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rounds", rounds);
    m.put("vectors", encoded);
    return m;
  }

  /**
   * Reads what {@link #toMap()} wrote (also after a JSON round trip, where numbers may come back as
   * Integer).
   *
   * @throws IllegalArgumentException naming the key if one is missing or of the wrong type
   */
  public static StrategyState fromMap(Map<String, ?> map) {
    Object rounds = map.get("rounds");
    if (!(rounds instanceof Number n) || n.longValue() != n.doubleValue()) {
      throw new IllegalArgumentException("strategy state: rounds must be a whole number, got " + rounds);
    }
    Object vectors = map.get("vectors");
    if (!(vectors instanceof Map<?, ?> encoded)) {
      throw new IllegalArgumentException("strategy state: vectors must be an object, got " + vectors);
    }
    Map<String, float[]> decoded = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : encoded.entrySet()) {
      if (!(e.getValue() instanceof String text)) {
        throw new IllegalArgumentException(
            "strategy state: vectors." + e.getKey() + " must be a Base64 string, got " + e.getValue());
      }
      decoded.put(String.valueOf(e.getKey()), FloatCodec.decode(text));
    }
    return new StrategyState(n.longValue(), decoded);
  }

  /** Equal when the counts are equal and the vectors hold the same names and the same floats. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof StrategyState other) || rounds != other.rounds
        || !vectors.keySet().equals(other.vectors.keySet())) {
      return false;
    }
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.vectors.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Long.hashCode(rounds);
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      h = 31 * h + e.getKey().hashCode() ^ Arrays.hashCode(e.getValue());
    }
    return h;
  }

  @Override
  public String toString() {
    return "StrategyState[rounds=" + rounds + ", vectors=" + vectors.keySet() + "]";
  }
}
