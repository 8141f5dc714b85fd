package org.sparkgrid.federation.round;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.strategy.FloatCodec;
import org.sparkgrid.federation.strategy.StrategyState;

/**
 * Everything a federated job needs to resume after its last completed round: a checkpoint.
 * Immutable; {@link RoundAggregation#run} returns the next one.
 *
 * <p>Checkpoints hold it in {@link RoundStateBinary}'s compact form; {@link #read} reads that and
 * the JSON form older versions wrote. {@link #toMap()} / {@link #fromMap} and {@link #toJson()} /
 * {@link #fromJson} round-trip it exactly (parameters as {@link FloatCodec} Base64):
 * <pre>{@code
 * {"schema": 1, "round": 3, "global": "AACAPw...", "strategy": {"rounds": 3, "vectors": {}},
 *  "contributions": [{"round": 0, "siteId": "s1", ...}], "excludedSites": ["s7"]}
 * }</pre>
 *
 * @param round         rounds completed so far, which is also the number of the next round (0 first)
 * @param global        the global parameters after those rounds
 * @param strategyState the strategy's carried state
 * @param contributions every site's contribution in every completed round, in order
 * @param excludedSites sites an admin excluded: never selected again (sorted)
 */
public record RoundState(
    int round, float[] global, StrategyState strategyState, List<Contribution> contributions,
    Set<String> excludedSites) {

  /** The version of {@link #toMap()}'s layout. */
  public static final int SCHEMA = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * Copies the collections.
   *
   * @throws IllegalArgumentException if {@code round < 0}
   * @throws NullPointerException if an argument is null
   */
  public RoundState {
    if (round < 0) {
      throw new IllegalArgumentException("round is " + round + "; must be >= 0");
    }
    Objects.requireNonNull(global, "global");
    Objects.requireNonNull(strategyState, "strategyState");
    contributions = List.copyOf(contributions);
    excludedSites = Set.copyOf(excludedSites);
  }

  /** The state before the first round: round 0, the initial parameters, nothing else. */
  public static RoundState initial(float[] global) {
    return new RoundState(0, global, StrategyState.EMPTY, List.of(), Set.of());
  }

  /** This state with the round's contributions appended. */
  public RoundState withContributions(List<Contribution> more) {
    List<Contribution> all = new ArrayList<>(contributions);
    all.addAll(more);
    return new RoundState(round, global, strategyState, all, excludedSites);
  }

  /** This state with one more site excluded (the admin command). */
  public RoundState withExcluded(String siteId) {
    Set<String> all = new TreeSet<>(excludedSites);
    all.add(siteId);
    return new RoundState(round, global, strategyState, contributions, all);
  }

  /** The fields as a JSON-ready map; see the class comment. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schema", SCHEMA);
    m.put("round", round);
    m.put("global", FloatCodec.encode(global));
    m.put("strategy", strategyState.toMap());
    List<Map<String, Object>> cs = new ArrayList<>();
    contributions.forEach(c -> cs.add(c.toMap()));
    m.put("contributions", cs);
    m.put("excludedSites", new ArrayList<>(new TreeSet<>(excludedSites)));
    return m;
  }

  /**
   * Reads what {@link #toMap()} wrote.
   *
   * @throws IllegalArgumentException naming the key if one is missing or of the wrong type, or the
   *     schema is not {@value #SCHEMA}
   */
  public static RoundState fromMap(Map<String, ?> m) {
    Object schema = m.get("schema");
    if (!(schema instanceof Number s) || s.intValue() != SCHEMA) {
      throw new IllegalArgumentException("round state: schema must be " + SCHEMA + ", got " + schema);
    }
    Object round = m.get("round");
    if (!(round instanceof Number r) || r.doubleValue() != r.intValue()) {
      throw new IllegalArgumentException("round state: round must be a whole number, got " + round);
    }
    Object global = m.get("global");
    if (!(global instanceof String g)) {
      throw new IllegalArgumentException("round state: global must be a Base64 string, got " + shorten(global));
    }
    Object strategy = m.get("strategy");
    if (!(strategy instanceof Map<?, ?> st)) {
      throw new IllegalArgumentException("round state: strategy must be an object, got " + shorten(strategy));
    }
    List<Contribution> contributions = new ArrayList<>();
    for (Object c : list(m, "contributions")) {
      if (!(c instanceof Map<?, ?> cm)) {
        throw new IllegalArgumentException("round state: contributions must hold objects, got " + shorten(c));
      }
      contributions.add(Contribution.fromMap(stringKeys(cm)));
    }
    Set<String> excluded = new TreeSet<>();
    for (Object e : list(m, "excludedSites")) {
      excluded.add(String.valueOf(e));
    }
    return new RoundState(r.intValue(), FloatCodec.decode(g), StrategyState.fromMap(stringKeys(st)),
        contributions, excluded);
  }

  /** {@link #toMap()} as UTF-8 JSON. */
  public byte[] toJson() {
    try {
      return MAPPER.writeValueAsBytes(toMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write round state as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Reads what {@link #toJson()} wrote.
   *
   * @throws IllegalArgumentException if the bytes are not a JSON object, or as {@link #fromMap}
   */
  public static RoundState fromJson(byte[] json) {
    try {
      return fromMap(MAPPER.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {}));
    } catch (IOException e) {
      throw new IllegalArgumentException("round state is not a JSON object: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a checkpoint in either form: {@link RoundStateBinary}'s (what checkpoints hold now) or
   * {@link #toJson()}'s (what older versions wrote), told apart by the first bytes.
   *
   * @throws IllegalArgumentException as {@link RoundStateBinary#read} or {@link #fromJson}
   */
  public static RoundState read(byte[] bytes) {
    return RoundStateBinary.isBinary(bytes) ? RoundStateBinary.read(bytes) : fromJson(bytes);
  }

  /** Equal when every field is, the parameters compared by value. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RoundState s && round == s.round && Arrays.equals(global, s.global)
        && strategyState.equals(s.strategyState) && contributions.equals(s.contributions)
        && excludedSites.equals(s.excludedSites);
  }

  @Override
  public int hashCode() {
    return Objects.hash(round, Arrays.hashCode(global), strategyState, contributions, excludedSites);
  }

  @Override
  public String toString() {
    return "RoundState[round=" + round + ", " + global.length + " parameters, " + strategyState + ", "
        + contributions.size() + " contributions, excluded=" + new TreeSet<>(excludedSites) + "]";
  }

  private static List<?> list(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("round state: " + key + " must be an array, got " + shorten(v));
    }
    return l;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static String shorten(Object v) {
    String s = String.valueOf(v);
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }
}
