package org.sparkgrid.ingest.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The operator's list of requesters, as the registry file holds it (named by
 * {@code spark.sparkgrid.auth.registry}, never by a request):
 *
 * <pre>{@code
 * {"requesters": [
 *   {"name": "alice", "account": "0x5b38da6a701c568545dcfcb03fcb875f56beddc4", "roles": ["submit", "cancel-own"],
 *    "limits": {"maxWorkers": 4, "maxGpus": 0, "maxRounds": 50, "maxRewardPoolPerRound": "1000000000000000000",
 *               "minFee": "0", "maxFee": "5000000000000000000"}}
 * ]}
 * }</pre>
 *
 * <p>Names and accounts are unique. {@link #read} refuses unknown fields and bad values, naming
 * the field's path and the value, e.g. {@code requesters[1].account: must be an account, 0x and 40
 * hex digits, got '0x12'}.
 *
 * <pre>{@code
 * RequesterRegistry registry = RequesterRegistry.read(Files.readAllBytes(path));
 * Optional<Requester> who = registry.byAccount("0x5b38da6a701c568545dcfcb03fcb875f56beddc4");
 * Files.write(path, registry.with(bob).toJson());
 * }</pre>
 *
 * @param requesters in the file's order
 */
public record RequesterRegistry(List<Requester> requesters) {

  /** A registry with nobody in it. */
  public static final RequesterRegistry EMPTY = new RequesterRegistry(List.of());

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> TOP_FIELDS = Set.of("requesters");
  private static final Set<String> REQUESTER_FIELDS = Set.of("name", "account", "roles", "limits");
  private static final Set<String> LIMIT_FIELDS = Set.of("maxWorkers", "maxGpus", "maxRounds",
      "maxRewardPoolPerRound", "minFee", "maxFee");

  /**
   * @throws IllegalArgumentException naming the entry if two requesters share a name or an account
   */
  public RequesterRegistry {
    requesters = List.copyOf(requesters);
    Map<String, Integer> names = new LinkedHashMap<>();
    Map<String, Integer> accounts = new LinkedHashMap<>();
    for (int i = 0; i < requesters.size(); i++) {
      Requester r = requesters.get(i);
      Integer before = names.putIfAbsent(r.name(), i);
      if (before != null) {
        throw new IllegalArgumentException("requesters[" + i + "].name: '" + r.name() + "' is already the name of"
            + " requesters[" + before + "]");
      }
      before = accounts.putIfAbsent(r.account(), i);
      if (before != null) {
        throw new IllegalArgumentException("requesters[" + i + "].account: " + r.account() + " is already the account"
            + " of requesters[" + before + "] (" + requesters.get(before).name() + ")");
      }
    }
  }

  /** The requester whose signatures {@code account} makes (any case), if registered. */
  public Optional<Requester> byAccount(String account) {
    return requesters.stream().filter(r -> r.account().equalsIgnoreCase(account)).findFirst();
  }

  /** The requester called {@code name}, if registered. */
  public Optional<Requester> byName(String name) {
    return requesters.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /**
   * This registry with {@code requester} added at the end.
   *
   * @throws IllegalArgumentException if its name or account is taken, naming which
   */
  public RequesterRegistry with(Requester requester) {
    Objects.requireNonNull(requester, "requester");
    byName(requester.name()).ifPresent(r -> {
      throw new IllegalArgumentException("name: requester '" + r.name() + "' already exists");
    });
    byAccount(requester.account()).ifPresent(r -> {
      throw new IllegalArgumentException("account: " + r.account() + " is already requester '" + r.name() + "'s");
    });
    List<Requester> all = new ArrayList<>(requesters);
    all.add(requester);
    return new RequesterRegistry(all);
  }

  /**
   * This registry without the requester called {@code name}.
   *
   * @throws java.util.NoSuchElementException if there is none, naming it
   */
  public RequesterRegistry without(String name) {
    Requester gone = byName(name).orElseThrow(() -> new java.util.NoSuchElementException("name: no requester '"
        + name + "' in the registry"));
    List<Requester> all = new ArrayList<>(requesters);
    all.remove(gone);
    return new RequesterRegistry(all);
  }

  // ---- the file format

  /**
   * Reads a registry file's bytes.
   *
   * @throws IllegalArgumentException naming the field's path and the value if it is not a registry
   */
  public static RequesterRegistry read(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("$: not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("$: not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("$: must be a JSON object with \"requesters\", got " + shown(root));
    }
    unknownFields(root, TOP_FIELDS, "");
    JsonNode list = root.get("requesters");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("requesters: must be a list, got " + shown(list));
    }
    List<Requester> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "requesters[" + i + "]";
      try {
        out.add(requester(list.get(i), path));
      } catch (IllegalArgumentException e) {
        throw e.getMessage().startsWith(path) ? e : new IllegalArgumentException(path + "." + e.getMessage(), e);
      }
    }
    return new RequesterRegistry(out);
  }

  private static Requester requester(JsonNode o, String path) {
    if (!o.isObject()) {
      throw new IllegalArgumentException(path + ": must be an object, got " + shown(o));
    }
    unknownFields(o, REQUESTER_FIELDS, path + ".");
    JsonNode roles = o.get("roles");
    if (roles == null || !roles.isArray()) {
      throw new IllegalArgumentException("roles: must be a list of submit, cancel-own, admin, got " + shown(roles));
    }
    Set<Role> set = EnumSet.noneOf(Role.class);
    for (int k = 0; k < roles.size(); k++) {
      JsonNode r = roles.get(k);
      if (!r.isTextual()) {
        throw new IllegalArgumentException("roles[" + k + "]: must be a string, got " + shown(r));
      }
      try {
        set.add(Role.fromWire(r.textValue()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("roles[" + k + "]: " + e.getMessage(), e);
      }
    }
    return new Requester(text(o, "name"), text(o, "account"), set, limits(o.get("limits"), path + ".limits"));
  }

  private static Limits limits(JsonNode o, String path) {
    if (o == null || o.isNull()) {
      return Limits.NONE;
    }
    if (!o.isObject()) {
      throw new IllegalArgumentException("limits: must be an object, got " + shown(o));
    }
    unknownFields(o, LIMIT_FIELDS, path + ".");
    try {
      return new Limits(integer(o, "maxWorkers"), integer(o, "maxGpus"), integer(o, "maxRounds"),
          amount(o, "maxRewardPoolPerRound"), amount(o, "minFee"), amount(o, "maxFee"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("limits." + e.getMessage(), e);
    }
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(field + ": must be a string, got " + shown(v));
    }
    return v.textValue();
  }

  private static Integer integer(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(field + ": must be a whole number, got " + shown(v));
    }
    return v.intValue();
  }

  /** A token amount: a decimal string (as amounts of 18 decimals need) or a whole JSON number. */
  private static BigInteger amount(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.bigIntegerValue();
    }
    if (v.isTextual() && v.textValue().matches("[0-9]{1,78}")) {
      return new BigInteger(v.textValue());
    }
    throw new IllegalArgumentException(field + ": must be a token amount in base units, a decimal string such as"
        + " \"1000000\", got " + shown(v));
  }

  private static void unknownFields(JsonNode o, Set<String> known, String prefix) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new IllegalArgumentException(prefix + f + ": unknown field; known: " + String.join(", ",
            known.stream().sorted().toList()));
      }
    }
  }

  private static String shown(JsonNode v) {
    if (v == null) {
      return "nothing";
    }
    String s = v.toString();
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /** This registry in the file format (amounts as decimal strings, absent limits left out), UTF-8. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("requesters");
    for (Requester r : requesters) {
      ObjectNode o = list.addObject().put("name", r.name()).put("account", r.account());
      ArrayNode roles = o.putArray("roles");
      EnumSet.copyOf(r.roles()).forEach(role -> roles.add(role.wire()));
      Limits l = r.limits();
      ObjectNode limits = JSON.createObjectNode();
      putIf(limits, "maxWorkers", l.maxWorkers());
      putIf(limits, "maxGpus", l.maxGpus());
      putIf(limits, "maxRounds", l.maxRounds());
      putIf(limits, "maxRewardPoolPerRound", l.maxRewardPoolPerRound());
      putIf(limits, "minFee", l.minFee());
      putIf(limits, "maxFee", l.maxFee());
      if (!limits.isEmpty()) {
        o.set("limits", limits);
      }
    }
    try {
      return (JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e); // a tree always serializes
    }
  }

  private static void putIf(ObjectNode o, String field, Object v) {
    if (v instanceof Integer i) {
      o.put(field, i);
    } else if (v != null) {
      o.put(field, v.toString());
    }
  }
}
