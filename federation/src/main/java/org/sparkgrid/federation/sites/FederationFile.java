package org.sparkgrid.federation.sites;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A federation: its sites (each with its own data, which never leaves it, and the key it signs its
 * updates with, which never leaves it either) and the allowlist of site accounts whose updates are
 * accepted.
 *
 * <pre>{@code
 * {"sites": [{"id": "site-01", "data": "hdfs://site01/fmnist/train", "account": "0x5aAe...",
 *             "weight": 1.0, "hosts": ["worker-3"], "store": "hdfs://site01/sparkgrid/models",
 *             "key": {"keystore": "/etc/sparkgrid/site-01.json", "passwordEnv": "SITE01_KEYSTORE_PASSWORD"}},
 *            ...],
 *  "allowlist": ["0x5aAe...", ...]}
 * }</pre>
 *
 * @param sites     the sites, ids unique
 * @param allowlist lower-case account addresses allowed to contribute; empty: every site's account
 */
public record FederationFile(List<Site> sites, Set<String> allowlist) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern ACCOUNT = Pattern.compile("0x[0-9a-fA-F]{40}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One site.
   *
   * @param id      unique id, {@code [A-Za-z0-9][A-Za-z0-9._-]*}
   * @param data    the site's training data: a Hadoop path in the request's data format
   * @param account the site's Ethereum account (0x + 40 hex digits), paid its rewards and checked
   *                against the allowlist
   * @param weight  relative weight, > 0 (default 1); informational for now
   * @param hosts   executor hosts that hold the site's data: its training task prefers them (empty: any)
   * @param key     where the site's executor finds the private key of {@code account}, to sign its
   *                updates ({@code null}: {@link SiteKey#DEFAULT})
   * @param store   where the site keeps the federation's final model: a Hadoop path (directory) that the
   *                site's own executor writes {@code <store>/<job id>/model.zip} to; {@code null}: none
   */
  public record Site(String id, String data, String account, double weight, List<String> hosts, SiteKey key,
      String store) {

    /** Copies the hosts; a null key is {@link SiteKey#DEFAULT}. */
    public Site {
      hosts = List.copyOf(hosts);
      key = key == null ? SiteKey.DEFAULT : key;
    }

    /** A site without a store of its own. */
    public Site(String id, String data, String account, double weight, List<String> hosts, SiteKey key) {
      this(id, data, account, weight, hosts, key, null);
    }

    /** A site that signs with {@link SiteKey#DEFAULT}. */
    public Site(String id, String data, String account, double weight, List<String> hosts) {
      this(id, data, account, weight, hosts, null);
    }

    /** This site with another signing key. */
    public Site withKey(SiteKey other) {
      return new Site(id, data, account, weight, hosts, other, store);
    }
  }

  /**
   * Where a site's executor reads the private key it signs its updates with: names only, never a
   * key. Exactly one of three kinds, in the federation file's {@code key} object:
   * <ul>
   *   <li>{@code {"env": "SITE01_KEY"}}: an environment variable of the site's executor holding the
   *       hex private key ({@link #DEFAULT}: {@value #DEFAULT_ENV});
   *   <li>{@code {"keystore": "/etc/sparkgrid/site-01.json", "passwordEnv": "SITE01_KEYSTORE_PASSWORD"}}:
   *       a Web3 Secret Storage (V3) file on the site's executor host (an absolute local path), its
   *       password in an environment variable there (default {@value #DEFAULT_PASSWORD_ENV});
   *   <li>{@code {"dev": 3}}: development key 3 of the well-known test mnemonic that local chains
   *       (anvil, ganache) fund; public, so for tests and trying on one machine only.
   * </ul>
   */
  public sealed interface SiteKey extends java.io.Serializable permits SiteKey.Env, SiteKey.Keystore, SiteKey.Dev {
    /** The variable the default key source reads. */
    String DEFAULT_ENV = "SPARKGRID_SITE_KEY";
    /** The variable a keystore's password is read from unless {@code passwordEnv} says otherwise. */
    String DEFAULT_PASSWORD_ENV = "SPARKGRID_SITE_KEYSTORE_PASSWORD";
    /** Where a site with no {@code key} reads its key: the environment variable {@value #DEFAULT_ENV}. */
    SiteKey DEFAULT = new Env(DEFAULT_ENV);

    /** The hex private key in environment variable {@code variable}. */
    record Env(String variable) implements SiteKey {}

    /** A Web3 Secret Storage file at {@code path}, its password in environment variable {@code passwordEnv}. */
    record Keystore(String path, String passwordEnv) implements SiteKey {}

    /** Development key {@code index} of the public test mnemonic (BIP-44 path m/44'/60'/0'/0/index). */
    record Dev(int index) implements SiteKey {}
  }

  public FederationFile {
    sites = List.copyOf(sites);
    allowlist = Set.copyOf(allowlist);
  }

  /** Site ids in file order. */
  public List<String> ids() {
    return sites.stream().map(Site::id).toList();
  }

  /** The site with this id. @throws IllegalArgumentException if there is none */
  public Site site(String id) {
    return sites.stream().filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no site '" + id + "' in the federation (sites: " + ids() + ")"));
  }

  /** Whether the site's account may contribute. */
  public boolean allowed(Site s) {
    return allowlist.isEmpty() || allowlist.contains(s.account().toLowerCase(Locale.ROOT));
  }

  /**
   * Parses and checks a federation file.
   *
   * @param what names the file in messages
   * @throws IllegalArgumentException naming the field (e.g. {@code sites[2].account}) and the value
   */
  public static FederationFile parse(byte[] json, String what) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(what + ": must be a JSON object with \"sites\"");
    }
    unknown(root, what, "", Set.of("sites", "allowlist"));
    JsonNode sitesNode = root.get("sites");
    if (sitesNode == null || !sitesNode.isArray() || sitesNode.isEmpty()) {
      throw new IllegalArgumentException(what + ": sites: must be a non-empty array");
    }
    List<Site> sites = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < sitesNode.size(); i++) {
      String f = "sites[" + i + "]";
      JsonNode s = sitesNode.get(i);
      if (!s.isObject()) {
        throw new IllegalArgumentException(what + ": " + f + ": must be an object");
      }
      unknown(s, what, f + ".", Set.of("id", "data", "account", "weight", "hosts", "key", "store"));
      String id = text(s, what, f + ".id", true);
      if (!ID.matcher(id).matches()) {
        throw new IllegalArgumentException(what + ": " + f + ".id: '" + id + "' must be 1-64 of [A-Za-z0-9._-]");
      }
      if (!ids.add(id)) {
        throw new IllegalArgumentException(what + ": " + f + ".id: '" + id + "' appears twice");
      }
      String data = text(s, what, f + ".data", true);
      String account = text(s, what, f + ".account", true);
      if (!ACCOUNT.matcher(account).matches()) {
        throw new IllegalArgumentException(what + ": " + f + ".account: '" + account
            + "' must be 0x followed by 40 hex digits");
      }
      double weight = 1.0;
      if (s.has("weight")) {
        if (!s.get("weight").isNumber() || !(s.get("weight").asDouble() > 0)) {
          throw new IllegalArgumentException(what + ": " + f + ".weight: must be a number > 0, got " + s.get("weight"));
        }
        weight = s.get("weight").asDouble();
      }
      List<String> hosts = new ArrayList<>();
      if (s.has("hosts")) {
        for (JsonNode h : s.get("hosts")) {
          hosts.add(h.asText());
        }
      }
      String store = text(s, what, f + ".store", false);
      sites.add(new Site(id, data, account, weight, hosts, s.has("key") ? key(s.get("key"), what, f + ".key") : null,
          store));
    }
    Set<String> allow = new HashSet<>();
    JsonNode a = root.get("allowlist");
    if (a != null) {
      if (!a.isArray()) {
        throw new IllegalArgumentException(what + ": allowlist: must be an array of accounts");
      }
      for (int i = 0; i < a.size(); i++) {
        String acc = a.get(i).asText();
        if (!ACCOUNT.matcher(acc).matches()) {
          throw new IllegalArgumentException(what + ": allowlist[" + i + "]: '" + acc
              + "' must be 0x followed by 40 hex digits");
        }
        allow.add(acc.toLowerCase(Locale.ROOT));
      }
    }
    return new FederationFile(sites, allow);
  }

  /** The file as JSON, as {@link #parse} reads it. */
  public byte[] toJson() {
    var root = JSON.createObjectNode();
    var arr = root.putArray("sites");
    for (Site s : sites) {
      var o = arr.addObject();
      o.put("id", s.id()).put("data", s.data()).put("account", s.account()).put("weight", s.weight());
      if (!s.hosts().isEmpty()) {
        var h = o.putArray("hosts");
        s.hosts().forEach(h::add);
      }
      if (s.store() != null) {
        o.put("store", s.store());
      }
      var k = o.putObject("key");
      if (s.key() instanceof SiteKey.Env e) {
        k.put("env", e.variable());
      } else if (s.key() instanceof SiteKey.Keystore ks) {
        k.put("keystore", ks.path()).put("passwordEnv", ks.passwordEnv());
      } else if (s.key() instanceof SiteKey.Dev d) {
        k.put("dev", d.index());
      }
    }
    var allow = root.putArray("allowlist");
    allowlist.stream().sorted().forEach(allow::add);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a site's key source. Messages never echo a value that could be a key put in the wrong place. */
  private static SiteKey key(JsonNode k, String what, String field) {
    if (!k.isObject()) {
      throw new IllegalArgumentException(what + ": " + field + ": must be an object naming where the key is (env,"
          + " keystore or dev), never the key itself; got a " + k.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    unknown(k, what, field + ".", Set.of("env", "keystore", "passwordEnv", "dev"));
    List<String> kinds = new ArrayList<>();
    for (String kind : List.of("env", "keystore", "dev")) {
      if (k.has(kind)) {
        kinds.add(kind);
      }
    }
    if (kinds.size() != 1) {
      throw new IllegalArgumentException(what + ": " + field + ": give exactly one of env, keystore or dev, got "
          + (kinds.isEmpty() ? "none" : String.join(" and ", kinds)));
    }
    if (k.has("passwordEnv") && !k.has("keystore")) {
      throw new IllegalArgumentException(what + ": " + field + ".passwordEnv: only with keystore");
    }
    if (k.has("dev")) {
      JsonNode d = k.get("dev");
      if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
        throw new IllegalArgumentException(what + ": " + field + ".dev: must be a whole number >= 0, got " + d);
      }
      return new SiteKey.Dev(d.intValue());
    }
    if (k.has("env")) {
      return new SiteKey.Env(envName(k, what, field + ".env"));
    }
    String path = text(k, what, field + ".keystore", true);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(what + ": " + field + ".keystore: '" + path
          + "' must be an absolute path on the site's executor host");
    }
    return new SiteKey.Keystore(path, k.has("passwordEnv") ? envName(k, what, field + ".passwordEnv")
        : SiteKey.DEFAULT_PASSWORD_ENV);
  }

  private static String envName(JsonNode o, String what, String field) {
    String name = text(o, what, field, true);
    if (!ENV_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + ": " + field + ": must name an environment variable"
          + " ([A-Za-z_][A-Za-z0-9_]*, at most 128), not hold a key or a password; got " + name.length()
          + " characters that are not a name");
    }
    return name;
  }

  private static String text(JsonNode o, String what, String field, boolean required) {
    JsonNode n = o.get(field.substring(field.lastIndexOf('.') + 1));
    if (n == null || n.isNull()) {
      if (required) {
        throw new IllegalArgumentException(what + ": " + field + ": is required");
      }
      return null;
    }
    if (!n.isTextual() || n.asText().isBlank()) {
      throw new IllegalArgumentException(what + ": " + field + ": must be a non-empty string, got " + n);
    }
    return n.asText();
  }

  private static void unknown(JsonNode o, String what, String prefix, Set<String> known) {
    for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new IllegalArgumentException(what + ": " + prefix + name + ": unknown field (known: "
            + known.stream().sorted().toList() + ")");
      }
    }
  }
}
