package org.sparkgrid.core.request;

import static org.sparkgrid.core.request.RequestFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.sparkgrid.core.request.DataSpec.Format;
import org.sparkgrid.core.request.DataSpec.Normalization;
import org.sparkgrid.core.request.ModelSpec.Architecture;
import org.sparkgrid.core.request.TrainingRequest.Mode;
import org.sparkgrid.core.store.ModelRef;

/**
 * Walks a parsed JSON tree into a {@link TrainingRequest}: first every field on its own (JSON
 * type, range, unknown fields, defaults), then the rules between fields in
 * {@link #checkCrossFieldRules}. The first problem found is thrown.
 */
final class RequestReader {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1," + MAX_POOL_DIGITS + "}");
  private static final BigInteger UINT256_MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);

  private RequestReader() {}

  /**
   * Reads and checks a whole request, its {@code federation.strategy} by {@code strategies}.
   *
   * @throws InvalidRequestException naming the first offending field
   */
  static TrainingRequest read(JsonNode root, StrategyCatalog strategies) {
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException(InvalidRequestException.ROOT, root == null ? null : Json.text(root),
          "must be a JSON object, got " + (root == null ? "nothing" : Json.render(root)));
    }
    // The schema first: a newer schema's fields are not "unknown", they are a newer schema.
    int schema = readSchema(root.get("schema"));
    Obj top = new Obj(root, "", TOP);
    String id = readId(top);
    Mode mode = top.wireEnum("mode", Mode.values(), Mode::wire, Mode.COMPUTE);
    ModelSpec model = readModel(top.object("model", true));
    DataSpec data = readData(top.object("data", true));
    TrainingSpec training = readTraining(top.object("training", true));
    EngineSpec engine = readEngine(top.object("engine", false));
    Obj sweepObj = top.object("sweep", false);
    SweepSpec sweep = sweepObj == null ? null : readSweep(sweepObj);
    Obj federationObj = top.object("federation", false);
    FederationSpec federation = federationObj == null ? null : readFederation(federationObj, strategies);
    Obj rewardObj = top.object("reward", false);
    RewardSpec reward = rewardObj == null ? null : readReward(rewardObj);

    TrainingRequest request =
        new TrainingRequest(schema, id, mode, model, data, training, engine, sweep, federation, reward);
    checkCrossFieldRules(top, request, strategies);
    return request;
  }

  private static int readSchema(JsonNode node) {
    if (node == null || node.isNull()) {
      throw new InvalidRequestException("schema", null, "is required");
    }
    if (!node.isIntegralNumber()) {
      throw new InvalidRequestException("schema", Json.text(node), "must be an integer, got " + Json.render(node));
    }
    if (!node.canConvertToInt() || node.intValue() != RequestCodec.SCHEMA_VERSION) {
      throw new InvalidRequestException("schema", Json.text(node), "unsupported schema version " + node
          + "; this SparkGrid reads schema " + RequestCodec.SCHEMA_VERSION);
    }
    return RequestCodec.SCHEMA_VERSION;
  }

  private static String readId(Obj top) {
    String id = top.string("id", true);
    if (!ID.matcher(id).matches()) {
      throw new InvalidRequestException("id", id,
          "must be 1 to 128 characters among A-Z a-z 0-9 . _ : -, got " + Json.quote(id));
    }
    return id;
  }

  private static ModelSpec readModel(Obj o) {
    String name = o.string("name", true);
    if (!ModelRef.isValidName(name)) {
      throw new InvalidRequestException(o.at("name"), name,
          "must be a letter or digit, then letters, digits, '.', '_' or '-', at most 128 characters, got "
              + Json.quote(name));
    }
    Architecture architecture = o.wireEnum("architecture", Architecture.values(), Architecture::wire, null);
    String initFrom = o.string("initFrom", false);
    if (initFrom != null) {
      try {
        ModelRef.parse(initFrom);
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(o.at("initFrom"), initFrom,
            "must be NAME, NAME@best, NAME@latest or NAME@N (N a version >= 1), got " + Json.quote(initFrom));
      }
    }
    // Only the sub-object of the chosen architecture is read; another one is refused in checkCrossFieldRules.
    MlpSpec mlp = null;
    CnnSpec cnn = null;
    String dl4j = null;
    switch (architecture) {
      case MLP -> {
        Obj m = o.object("mlp", false);
        mlp = m == null ? MlpSpec.defaults() : readMlp(m);
      }
      case CNN -> {
        Obj c = o.object("cnn", false);
        cnn = c == null ? CnnSpec.defaults() : readCnn(c);
      }
      case DL4J -> dl4j = readDl4j(o);
    }
    return new ModelSpec(name, architecture, mlp, cnn, dl4j, initFrom);
  }

  private static MlpSpec readMlp(Obj o) {
    MlpSpec d = MlpSpec.defaults();
    List<Integer> hidden = o.has("hidden") ? o.intList("hidden", LAYER_SIZE, 0, MAX_LAYERS) : d.hidden();
    String activation = o.read("activation", ACTIVATION, d.activation());
    double dropout = o.read("dropout", DROPOUT, d.dropout());
    return new MlpSpec(hidden, activation, dropout);
  }

  private static CnnSpec readCnn(Obj o) {
    CnnSpec d = CnnSpec.defaults();
    List<CnnSpec.ConvBlock> conv = d.conv();
    if (o.has("conv")) {
      List<JsonNode> items = o.array("conv", 1, MAX_LAYERS);
      List<CnnSpec.ConvBlock> blocks = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        Obj b = new Obj(items.get(i), o.at("conv") + "[" + i + "]", CONV);
        int filters = b.read("filters", FILTERS, null);
        int kernel = b.read("kernel", KERNEL, null);
        int stride = b.read("stride", STRIDE, 1);
        int pool = b.read("pool", POOL, 2);
        blocks.add(new CnnSpec.ConvBlock(filters, kernel, stride, pool));
      }
      conv = List.copyOf(blocks);
    }
    List<Integer> dense = o.has("dense") ? o.intList("dense", LAYER_SIZE, 0, MAX_LAYERS) : d.dense();
    String activation = o.read("activation", ACTIVATION, d.activation());
    double dropout = o.read("dropout", DROPOUT, d.dropout());
    return new CnnSpec(conv, dense, activation, dropout);
  }

  /** The DL4J configuration as compact JSON text, or null when absent (refused in checkCrossFieldRules). */
  private static String readDl4j(Obj model) {
    JsonNode node = model.get("dl4j");
    if (node == null) {
      return null;
    }
    if (!node.isObject()) {
      throw new InvalidRequestException(model.at("dl4j"), Json.text(node),
          "must be a DL4J MultiLayerConfiguration JSON object, got " + Json.render(node));
    }
    JsonNode confs = node.get("confs");
    if (confs == null || !confs.isArray()) {
      throw new InvalidRequestException(model.at("dl4j") + ".confs", confs == null ? null : Json.text(confs),
          "must be an array (the layer configurations of a DL4J MultiLayerConfiguration)"
              + (confs == null ? ", is missing" : ", got " + Json.render(confs)));
    }
    return node.toString();
  }

  private static DataSpec readData(Obj o) {
    Format format = o.wireEnum("format", Format.values(), Format::wire, null);
    String train = o.path("train", true);
    String test = o.path("test", false);
    int labelColumn = o.read("labelColumn", LABEL_COLUMN, 0);
    boolean header = o.bool("header", false);
    Integer classes = o.read("classes", CLASSES, null, false);
    Normalization normalization = o.wireEnum("normalization", Normalization.values(), Normalization::wire,
        format == Format.IDX ? Normalization.SCALE : Normalization.STANDARDIZE);
    Integer limit = o.read("limit", LIMIT, null, false);
    return new DataSpec(format, train, test, labelColumn, header, classes, normalization, limit);
  }

  private static TrainingSpec readTraining(Obj o) {
    int epochs = o.read("epochs", EPOCHS, null);
    int batchSize = o.read("batchSize", BATCH_SIZE, 64);
    long seed = o.read("seed", SEED, 42L);
    double l2 = o.read("l2", L2, 0.0);
    Obj u = o.object("updater", false);
    UpdaterSpec updater = u == null ? RequestCodec.DEFAULT_UPDATER : new UpdaterSpec(
        u.read("type", UPDATER_TYPE, RequestCodec.DEFAULT_UPDATER.type()),
        u.read("learningRate", LEARNING_RATE, RequestCodec.DEFAULT_UPDATER.learningRate()),
        u.read("momentum", MOMENTUM, RequestCodec.DEFAULT_UPDATER.momentum()));
    Obj t = o.object("timeouts", false);
    TimeoutSpec timeouts = t == null ? TimeoutSpec.NONE : new TimeoutSpec(
        t.read("dataMs", TIMEOUT_MS, null, false),
        t.read("trainMs", TIMEOUT_MS, null, false),
        t.read("checkpointMs", TIMEOUT_MS, null, false));
    return new TrainingSpec(epochs, batchSize, seed, updater, l2, timeouts);
  }

  private static EngineSpec readEngine(Obj o) {
    EngineSpec d = RequestCodec.DEFAULT_ENGINE;
    if (o == null) {
      return d;
    }
    return new EngineSpec(
        o.read("type", ENGINE_TYPE, d.type()),
        o.read("workers", WORKERS, d.workers()),
        o.read("averagingFrequency", AVERAGING_FREQUENCY, d.averagingFrequency()),
        o.bool("shuffle", d.shuffle()),
        readResources(o.object("resources", false)));
  }

  private static WorkerResources readResources(Obj o) {
    if (o == null) {
      return null;
    }
    if (o.names().isEmpty()) {
      throw new InvalidRequestException(o.where(), "{}",
          "must state at least one of " + String.join(", ", RESOURCES));
    }
    return new WorkerResources(
        o.read("cores", CORES, null, false),
        o.read("memoryMb", MEMORY_MB, null, false),
        o.read("gpus", GPUS, 0));
  }

  private static SweepSpec readSweep(Obj o) {
    Obj p = o.object("parameters", true);
    if (p.names().isEmpty()) {
      throw new InvalidRequestException(o.at("parameters"), "{}",
          "must name at least one field to sweep; sweepable: " + String.join(", ", SWEEPABLE.keySet()));
    }
    Map<String, List<Object>> parameters = new LinkedHashMap<>();
    for (String field : p.names()) {
      String path = p.at(field);
      FieldRule rule = SWEEPABLE.get(field);
      if (rule == null) {
        throw new InvalidRequestException(path, Json.text(p.get(field)),
            "not a sweepable field; sweepable: " + String.join(", ", SWEEPABLE.keySet()));
      }
      List<JsonNode> items = p.array(field, 1, Integer.MAX_VALUE);
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        values.add(rule.convert(path + "[" + i + "]", items.get(i))); // ranges: checkCrossFieldRules
      }
      parameters.put(field, List.copyOf(values));
    }
    return new SweepSpec(
        Collections.unmodifiableMap(parameters),
        o.read("method", SWEEP_METHOD, "grid"),
        o.read("trials", TRIALS, null, false),
        o.read("maxConcurrent", MAX_CONCURRENT, 2),
        o.read("select", SELECT, "accuracy"));
  }

  private static FederationSpec readFederation(Obj o, StrategyCatalog strategies) {
    String name = o.string("name", false);
    if (name != null && !FederationSpec.isValidName(name)) {
      throw new InvalidRequestException(o.at("name"), name, "must be the name of a registered federation: 1 to 64"
          + " characters among A-Z a-z 0-9 . _ - starting with a letter or digit, got " + Json.quote(name));
    }
    String sites = o.path("sites", false);
    if (name == null && sites == null) {
      throw new InvalidRequestException(o.at("name"), null, "is required: the name of a federation the operator"
          + " registered (bin/sparkgrid federation list)");
    }
    if (name != null && sites != null) {
      throw new InvalidRequestException(o.at("sites"), sites, "give either name (a registered federation) or sites"
          + " (a federation file), not both");
    }
    List<String> siteIds = List.of();
    if (o.has("siteIds")) {
      if (name == null) {
        throw new InvalidRequestException(o.at("siteIds"), Json.text(o.get("siteIds")),
            "only allowed with name (it narrows a registered federation to some of its sites)");
      }
      siteIds = readSiteIds(o);
    }
    int rounds = o.read("rounds", ROUNDS, null);
    int localEpochs = o.read("localEpochs", LOCAL_EPOCHS, 1);
    double fraction = o.read("fraction", FRACTION, 1.0);
    int minSites = o.read("minSites", MIN_SITES, 1);
    long roundTimeoutMs = o.read("roundTimeoutMs", ROUND_TIMEOUT_MS, 600_000L);
    Obj s = o.object("strategy", false);
    StrategySpec strategy = s == null ? RequestCodec.DEFAULT_STRATEGY : readStrategy(s, strategies);
    String belowMinSites = o.read("belowMinSites", BELOW_MIN_SITES, FederationSpec.FAIL);
    int retries = o.read("minSitesRetries", MIN_SITES_RETRIES, FederationSpec.DEFAULT_MIN_SITES_RETRIES);
    long retryDelayMs = o.read("minSitesRetryDelayMs", MIN_SITES_RETRY_DELAY_MS,
        FederationSpec.DEFAULT_MIN_SITES_RETRY_DELAY_MS);
    double decay = o.read("learningRateDecay", LEARNING_RATE_DECAY, 1.0);
    return new FederationSpec(sites, rounds, localEpochs, fraction, minSites, roundTimeoutMs, strategy, belowMinSites,
        retries, retryDelayMs, name, siteIds, decay);
  }

  /** {@code federation.siteIds}: a non-empty array of distinct site ids (strings). */
  private static List<String> readSiteIds(Obj o) {
    List<JsonNode> items = o.array("siteIds", 1, Integer.MAX_VALUE);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode v = items.get(i);
      String at = o.at("siteIds") + "[" + i + "]";
      if (!v.isTextual() || v.textValue().isBlank()) {
        throw new InvalidRequestException(at, Json.text(v), "must be a site id (a non-empty string), got "
            + Json.render(v));
      }
      if (ids.contains(v.textValue())) {
        throw new InvalidRequestException(at, v.textValue(), "site " + Json.quote(v.textValue()) + " appears twice");
      }
      ids.add(v.textValue());
    }
    return List.copyOf(ids);
  }

  /**
   * type, then every other field as a parameter (numbers as Double, booleans, strings), then the
   * catalog's check of the type's parameters.
   */
  private static StrategySpec readStrategy(Obj o, StrategyCatalog strategies) {
    String type = strategies == StrategyCatalog.UNCHECKED
        ? Objects.requireNonNullElse(o.string("type", false), RequestCodec.DEFAULT_STRATEGY.type())
        : o.read("type", new FieldRule.Choice(strategies.types()), RequestCodec.DEFAULT_STRATEGY.type());
    Map<String, Object> params = new LinkedHashMap<>();
    for (String name : o.names()) {
      if (name.equals("type")) {
        continue;
      }
      JsonNode v = o.get(name);
      String path = o.at(name);
      if (v == null) {
        continue; // null: as if absent
      } else if (v.isNumber()) {
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
          throw new InvalidRequestException(path, Json.text(v), "must be a finite number, got " + Json.render(v));
        }
        params.put(name, d);
      } else if (v.isBoolean()) {
        params.put(name, v.booleanValue());
      } else if (v.isTextual()) {
        params.put(name, v.textValue());
      } else {
        throw new InvalidRequestException(path, Json.text(v),
            "must be a number, a boolean or a string, got " + Json.render(v));
      }
    }
    StrategySpec strategy = new StrategySpec(type, Collections.unmodifiableMap(params));
    strategies.check(strategy);
    return strategy;
  }

  private static RewardSpec readReward(Obj o) {
    String pool = o.string("poolPerRound", true);
    if (!DIGITS.matcher(pool).matches() || new BigInteger(pool).compareTo(UINT256_MAX) > 0) {
      throw new InvalidRequestException(o.at("poolPerRound"), pool,
          "must be a non-negative integer of at most " + MAX_POOL_DIGITS
              + " decimal digits that fits in 256 bits, as a string, got " + Json.quote(pool));
    }
    return new RewardSpec(pool, o.read("scoring", SCORING, "loss-improvement"));
  }

  /**
   * The rules between fields. Each field has already passed its own checks.
   *
   * <ul>
   *   <li>model: only the sub-object of the chosen architecture; dl4j requires model.dl4j;
   *       a convolution's stride is at most its kernel
   *   <li>data: labelColumn and header only for csv
   *   <li>engine.resources only with engine.type sparkgrid
   *   <li>mode tree requires federation; federation only in mode tree; federation.minSitesRetries
   *       and federation.minSitesRetryDelayMs only with federation.belowMinSites wait; the
   *       strategy's rules with the other federation fields ({@link StrategyCatalog#check(FederationSpec)},
   *       e.g. Krum's minSites at least 2f + 3)
   *   <li>sweep: trials required for random, refused for grid; model.mlp.* and model.cnn.* only
   *       with that architecture; every value passes the rule of its field, and none repeats;
   *       mode compute only; data.test required; a grid of at most 10000 combinations, a random
   *       sweep of at most as many trials as combinations; an id short enough for trial ids
   * </ul>
   */
  private static void checkCrossFieldRules(Obj top, TrainingRequest r, StrategyCatalog strategies) {
    Obj model = top.object("model", true);
    Architecture arch = r.model().architecture();
    for (Architecture other : Architecture.values()) {
      JsonNode given = model.get(other.wire());
      if (other != arch && given != null) {
        throw new InvalidRequestException(model.at(other.wire()), Json.text(given),
            "only allowed when model.architecture is " + other.wire() + ", got architecture " + arch.wire());
      }
    }
    if (arch == Architecture.DL4J && r.model().dl4jConfiguration() == null) {
      throw new InvalidRequestException("model.dl4j", null, "is required when model.architecture is dl4j");
    }
    if (arch == Architecture.CNN) {
      List<CnnSpec.ConvBlock> conv = r.model().cnn().conv();
      for (int i = 0; i < conv.size(); i++) {
        CnnSpec.ConvBlock b = conv.get(i);
        if (b.stride() > b.kernel()) {
          throw new InvalidRequestException("model.cnn.conv[" + i + "].stride", String.valueOf(b.stride()),
              "must be at most the kernel (" + b.kernel() + "), got " + b.stride());
        }
      }
    }

    Obj data = top.object("data", true);
    if (r.data().format() != Format.CSV) {
      for (String csvOnly : List.of("labelColumn", "header")) {
        if (data.has(csvOnly)) {
          throw new InvalidRequestException(data.at(csvOnly), Json.text(data.get(csvOnly)),
              "only allowed when data.format is csv, got format " + r.data().format().wire());
        }
      }
    }

    if (r.engine().resources() != null && EngineSpec.DL4J.equals(r.engine().type())) {
      throw new InvalidRequestException("engine.resources", Json.text(top.object("engine", true).get("resources")),
          "only allowed when engine.type is " + EngineSpec.SPARKGRID + ", got type " + EngineSpec.DL4J);
    }

    if (r.mode() == Mode.TREE && r.federation() == null) {
      throw new InvalidRequestException("federation", null, "is required when mode is tree");
    }
    if (r.mode() != Mode.TREE && r.federation() != null) {
      throw new InvalidRequestException("federation", Json.text(top.get("federation")),
          "only allowed when mode is tree, got mode " + r.mode().wire());
    }
    if (r.federation() != null && !r.federation().waitsForMinSites()) {
      Obj federation = top.object("federation", true);
      for (String waitOnly : List.of("minSitesRetries", "minSitesRetryDelayMs")) {
        if (federation.has(waitOnly)) {
          throw new InvalidRequestException(federation.at(waitOnly), Json.text(federation.get(waitOnly)),
              "only allowed when federation.belowMinSites is wait, got belowMinSites " + r.federation().belowMinSites());
        }
      }
    }
    if (r.federation() != null) {
      strategies.check(r.federation());
    }

    SweepSpec sweep = r.sweep();
    if (sweep != null) {
      if (sweep.method().equals("random") && sweep.trials() == null) {
        throw new InvalidRequestException("sweep.trials", null, "is required when sweep.method is random");
      }
      if (!sweep.method().equals("random") && sweep.trials() != null) {
        throw new InvalidRequestException("sweep.trials", String.valueOf(sweep.trials()),
            "only allowed when sweep.method is random, got method " + sweep.method());
      }
      for (Map.Entry<String, List<Object>> e : sweep.parameters().entrySet()) {
        String path = "sweep.parameters." + e.getKey();
        for (Architecture a : List.of(Architecture.MLP, Architecture.CNN)) {
          if (e.getKey().startsWith("model." + a.wire() + ".") && arch != a) {
            throw new InvalidRequestException(path, null,
                "only allowed when model.architecture is " + a.wire() + ", got architecture " + arch.wire());
          }
        }
        FieldRule rule = SWEEPABLE.get(e.getKey());
        for (int i = 0; i < e.getValue().size(); i++) {
          rule.check(path + "[" + i + "]", e.getValue().get(i));
          int first = e.getValue().indexOf(e.getValue().get(i));
          if (first < i) {
            throw new InvalidRequestException(path + "[" + i + "]", String.valueOf(e.getValue().get(i)),
                "repeats " + path + "[" + first + "]: each value is tried once");
          }
        }
      }
      checkSweepTrials(r);
    }
  }

  /** A sweep: compute mode only, compared on the test set, a bounded number of trials with ids that fit. */
  private static void checkSweepTrials(TrainingRequest r) {
    SweepSpec sweep = r.sweep();
    if (r.mode() != Mode.COMPUTE) {
      throw new InvalidRequestException("sweep", null, "only allowed when mode is compute, got mode " + r.mode().wire());
    }
    if (r.data().test() == null) {
      throw new InvalidRequestException("data.test", null, "is required when the request has a sweep: trials are"
          + " compared by their " + sweep.select() + " on the test set");
    }
    long combinations = sweep.combinations();
    if (!sweep.random() && combinations > SweepSpec.MAX_TRIALS) {
      throw new InvalidRequestException("sweep.parameters", null, "a grid sweep tries every combination, at most "
          + SweepSpec.MAX_TRIALS + ", got " + (combinations == Long.MAX_VALUE ? "more than " : "") + combinations
          + "; use fewer values or method random");
    }
    if (sweep.random() && sweep.trials() > combinations) {
      throw new InvalidRequestException("sweep.trials", String.valueOf(sweep.trials()), "must be at most "
          + combinations + ", the number of distinct combinations of sweep.parameters, got " + sweep.trials());
    }
    if (r.id().length() > SweepTrials.MAX_JOB_ID_LENGTH) {
      throw new InvalidRequestException("id", r.id(), "must have at most " + SweepTrials.MAX_JOB_ID_LENGTH
          + " characters when the request has a sweep (its trials' ids add " + SweepTrials.TRIAL_SUFFIX
          + "<n>), got " + r.id().length());
    }
  }

  /** One JSON object of the request: its path, and typed reads of its fields that name them on failure. */
  private static final class Obj {
    private final JsonNode node;
    private final String path;

    /** @throws InvalidRequestException if the node is not an object or has a field not in {@code known} */
    Obj(JsonNode node, String path, List<String> known) {
      if (!node.isObject()) {
        throw new InvalidRequestException(path, Json.text(node), "must be an object, got " + Json.render(node));
      }
      this.node = node;
      this.path = path;
      if (known != null) {
        for (String name : names()) {
          if (!known.contains(name)) {
            throw new InvalidRequestException(at(name), Json.text(node.get(name)),
                "unknown field; known fields: " + String.join(", ", known));
          }
        }
      }
    }

    String at(String name) {
      return path.isEmpty() ? name : path + "." + name;
    }

    /** This object's own dotted path. */
    String where() {
      return path;
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      return names;
    }

    /** The field's value, or null when absent or JSON null (null means absent throughout a request). */
    JsonNode get(String name) {
      JsonNode v = node.get(name);
      return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
      return get(name) != null;
    }

    private JsonNode required(String name) {
      JsonNode v = get(name);
      if (v == null) {
        throw new InvalidRequestException(at(name), null, "is required");
      }
      return v;
    }

    /** A nested object checked against its known fields, or null when absent and not required. */
    Obj object(String name, boolean required) {
      JsonNode v = required ? required(name) : get(name);
      if (v == null) {
        return null;
      }
      return new Obj(v, at(name), knownFieldsOf(at(name)));
    }

    /** A field read with its rule; {@code dflt} when absent, required when {@code dflt} is null. */
    <T> T read(String name, FieldRule rule, T dflt) {
      return read(name, rule, dflt, dflt == null);
    }

    @SuppressWarnings("unchecked")
    <T> T read(String name, FieldRule rule, T dflt, boolean required) {
      JsonNode v = required ? required(name) : get(name);
      return v == null ? dflt : (T) rule.read(at(name), v);
    }

    String string(String name, boolean required) {
      JsonNode v = required ? required(name) : get(name);
      if (v == null) {
        return null;
      }
      if (!v.isTextual()) {
        throw new InvalidRequestException(at(name), Json.text(v), "must be a string, got " + Json.render(v));
      }
      return v.textValue();
    }

    /** A data or file path: a non-blank string. */
    String path(String name, boolean required) {
      String s = string(name, required);
      if (s != null && s.isBlank()) {
        throw new InvalidRequestException(at(name), s, "must be a non-empty path, got " + Json.quote(s));
      }
      return s;
    }

    boolean bool(String name, boolean dflt) {
      JsonNode v = get(name);
      if (v == null) {
        return dflt;
      }
      if (!v.isBoolean()) {
        throw new InvalidRequestException(at(name), Json.text(v), "must be true or false, got " + Json.render(v));
      }
      return v.booleanValue();
    }

    /** An enum written as its wire value; {@code dflt} when absent, required when {@code dflt} is null. */
    <E extends Enum<E>> E wireEnum(String name, E[] values, Function<E, String> wire, E dflt) {
      List<String> wires = new ArrayList<>();
      for (E e : values) {
        wires.add(wire.apply(e));
      }
      String w = read(name, new FieldRule.Choice(wires), dflt == null ? null : wire.apply(dflt));
      return values[wires.indexOf(w)];
    }

    List<JsonNode> array(String name, int minSize, int maxSize) {
      JsonNode v = required(name);
      if (!v.isArray()) {
        throw new InvalidRequestException(at(name), Json.text(v), "must be an array, got " + Json.render(v));
      }
      if (v.size() < minSize || v.size() > maxSize) {
        String bounds = maxSize == Integer.MAX_VALUE
            ? "must have at least " + minSize + (minSize == 1 ? " element" : " elements")
            : "must have between " + minSize + " and " + maxSize + " elements";
        throw new InvalidRequestException(at(name), Json.text(v), bounds + ", got " + v.size());
      }
      List<JsonNode> items = new ArrayList<>();
      v.elements().forEachRemaining(items::add);
      return items;
    }

    List<Integer> intList(String name, FieldRule.IntRange rule, int minSize, int maxSize) {
      List<JsonNode> items = array(name, minSize, maxSize);
      List<Integer> out = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        out.add((Integer) rule.read(at(name) + "[" + i + "]", items.get(i)));
      }
      return List.copyOf(out);
    }
  }

  /** Known field names of each object path; null where any field is allowed (strategy parameters). */
  private static List<String> knownFieldsOf(String path) {
    return switch (path) {
      case "model" -> MODEL;
      case "model.mlp" -> MLP;
      case "model.cnn" -> CNN;
      case "data" -> DATA;
      case "training" -> TRAINING;
      case "training.updater" -> UPDATER;
      case "training.timeouts" -> TIMEOUTS;
      case "engine" -> ENGINE;
      case "engine.resources" -> RESOURCES;
      case "sweep" -> SWEEP;
      case "federation" -> FEDERATION;
      case "reward" -> REWARD;
      case "federation.strategy", "sweep.parameters" -> null;
      default -> throw new IllegalStateException("no known fields declared for " + path);
    };
  }
}
