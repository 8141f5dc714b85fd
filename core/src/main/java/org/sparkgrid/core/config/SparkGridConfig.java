package org.sparkgrid.core.config;

import static org.sparkgrid.core.config.Validator.atLeast;
import static org.sparkgrid.core.config.Validator.between;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every {@code spark.sparkgrid.*} configuration key, declared once, and an immutable typed view of
 * a configuration (Spark's conf, {@code spark-defaults.conf}, {@code --conf} flags).
 *
 * <pre>{@code
 * SparkGridConfig conf = SparkGridConfig.from(Map.of("spark.sparkgrid.checkpoint.keep", "5"));
 * conf.get(SparkGridConfig.CHECKPOINT_KEEP);        // 5
 * conf.get(SparkGridConfig.ENGINE_THREADS_PER_TASK); // 1, the default
 * conf.storeRoot();                                   // file:/home/me/.sparkgrid/store
 * }</pre>
 *
 * <p>To add a key, declare a constant here with {@link ConfigKey}'s factories and list it in
 * {@link #all()}; the reference ({@link #markdownReference()}, {@link ConfigReference}) follows.
 */
public final class SparkGridConfig {

  /** The prefix of every key SparkGrid reads. */
  public static final String PREFIX = "spark.sparkgrid.";

  public static final ConfigKey<String> HOME = ConfigKey.ofString("spark.sparkgrid.home", "",
      "SparkGrid's home: model store, runs, logs. Empty means the environment variable `SPARKGRID_HOME`, or"
      + " `${user.home}/.sparkgrid` where that is unset.");

  /** The environment variable that sets the home where {@link #HOME} is empty, as SPARK_HOME does Spark's. */
  public static final String HOME_ENV = "SPARKGRID_HOME";

  public static final ConfigKey<String> STORE_ROOT = ConfigKey.ofString("spark.sparkgrid.store.root", "",
      "Root of the model store, any Hadoop FileSystem URI (`file:`, `hdfs:` ...). Empty means `file:<home>/store`.");

  public static final ConfigKey<Integer> ENGINE_THREADS_PER_TASK = ConfigKey.ofInt(
      "spark.sparkgrid.engine.threadsPerTask", 1, atLeast(1),
      "ND4J threads per Spark task. Keep 1 where every core runs a task.");

  public static final ConfigKey<Integer> ENGINE_JOBS_PER_EPOCH = ConfigKey.ofInt(
      "spark.sparkgrid.engine.jobsPerEpoch", 4, atLeast(1),
      "Spark jobs each epoch is split into. More means finer progress and checkpoints; each job costs about 0.7 s.");

  public static final ConfigKey<Long> ENGINE_SYNC_TIMEOUT_MS = ConfigKey.ofLong(
      "spark.sparkgrid.engine.syncTimeoutMs", 600_000L, atLeast(1_000L),
      "Longest wait at one averaging for the slowest worker; past it the Spark job fails (and Spark may retry it).");

  public static final ConfigKey<Integer> ENGINE_EXCHANGE_PORT = ConfigKey.ofInt(
      "spark.sparkgrid.engine.exchangePort", 0, between(0, 65_535),
      "Driver port workers send their parameters to at each averaging; 0 picks a free one. Executors must reach it.");

  public static final ConfigKey<Integer> ENGINE_MERGE_THREADS = ConfigKey.ofInt(
      "spark.sparkgrid.engine.mergeThreads", 0, between(0, 1024),
      "Driver threads that compute each averaged vector, each over a slice; 0 means one per driver core.");

  public static final ConfigKey<String> ENGINE_EXCHANGE = ConfigKey.ofString(
      "spark.sparkgrid.engine.exchange", "peers", Validator.oneOf("peers", "driver"),
      "How compute mode's workers average. `peers`: reduce-scatter then all-gather between the workers, each"
          + " averaging one slice, so each sends and receives about twice the model per averaging whatever their"
          + " number; executors must reach each other on ephemeral ports. `driver`: each sends its whole model to"
          + " the driver, which averages (`mergeThreads`) and sends the mean back; for executors that reach only"
          + " the driver.");

  public static final ConfigKey<Integer> EVAL_BATCH_SIZE = ConfigKey.ofInt(
      "spark.sparkgrid.eval.batchSize", 1000, between(1, 100_000),
      "Minibatch size when evaluating a model on test data.");

  public static final ConfigKey<Boolean> PROGRESS_ENABLED = ConfigKey.ofBoolean(
      "spark.sparkgrid.progress.enabled", true,
      "Report progress (epochs, rounds, metrics) while a job runs.");

  public static final ConfigKey<Boolean> CHECKPOINT_ENABLED = ConfigKey.ofBoolean(
      "spark.sparkgrid.checkpoint.enabled", true,
      "Write resumable checkpoints while a job runs, so a restarted service resumes it.");

  public static final ConfigKey<Integer> CHECKPOINT_KEEP = ConfigKey.ofInt(
      "spark.sparkgrid.checkpoint.keep", 3, atLeast(1),
      "Newest checkpoints kept per job; older ones are deleted.");

  public static final ConfigKey<String> FEDERATION_AGGREGATION = ConfigKey.ofString(
      "spark.sparkgrid.federation.aggregation", "spark", Validator.oneOf("spark", "driver"),
      "Where tree mode merges a round's updates. `spark`: the updates stay on the executors that trained them and a"
          + " Spark stage merges them range by range (each range's task reads the cached updates in place on a local"
          + " master, through a shuffle on a cluster); `driver`: every update is sent to the driver and merged there."
          + " Either way the driver checks each update's signature (in `spark` mode over the delta's hash from the"
          + " signing executor).");

  public static final ConfigKey<String> FEDERATION_SITE_IDENTITY = ConfigKey.ofString(
      "spark.sparkgrid.federation.siteIdentity", "auto", Validator.oneOf("auto", "executor", "coordinator"),
      "Where a tree-mode site's identity lives. `executor`: each site task checks, before it reads the site's data,"
          + " that its executor holds that site's id in the Spark resource `sparkgrid-site` (a discovery script on the"
          + " site's workers prints it), refuses any other executor (Spark retries the task elsewhere) and is placed on"
          + " the site's executors first; the final model is written to each site's `store` by a task on that site's"
          + " executor. `coordinator`: any executor may train any site (one machine, where every executor is the"
          + " coordinator's). `auto` (default): `coordinator` on `local`/`local[N]` masters, whose one JVM has no site"
          + " boundary to keep, and `executor` on every cluster master, so that a cluster refuses rather than silently"
          + " mixes sites. See docs/tree-mode.md, Where sites run.");

  public static final ConfigKey<String> CHAIN_RPC_URL = ConfigKey.ofString("spark.sparkgrid.chain.rpcUrl", "",
      "Ethereum JSON-RPC endpoint where rewards are settled. Empty: contributions are recorded in lineage, nothing is paid."
          + " The coordinator's key comes from spark.sparkgrid.chain.keystore or the environment variable SPARKGRID_CHAIN_KEY,"
          + " never from configuration itself.");

  public static final ConfigKey<Long> CHAIN_ID = ConfigKey.ofLong("spark.sparkgrid.chain.chainId", 31_337L, atLeast(1L),
      "Chain id of that endpoint (31337: a local anvil node).");

  public static final ConfigKey<String> CHAIN_DISTRIBUTOR = ConfigKey.ofString("spark.sparkgrid.chain.distributor", "",
      "Address of the deployed RewardDistributor contract that rewards are published to.");

  public static final ConfigKey<String> CHAIN_ESCROW = ConfigKey.ofString("spark.sparkgrid.chain.escrow", "",
      "Address of the deployed JobEscrow contract: compute-job fees and tree jobs' reward deposits, which each"
          + " round's settlement draws from.");

  public static final ConfigKey<String> KAFKA_BOOTSTRAP_SERVERS = ConfigKey.ofString(
      "spark.sparkgrid.kafka.bootstrapServers", "",
      "Kafka brokers of the request service (host:port,...). Empty: `serve --embedded-kafka` starts one under the home.");

  public static final ConfigKey<Integer> SERVICE_MAX_CONCURRENT_JOBS = ConfigKey.ofInt(
      "spark.sparkgrid.service.maxConcurrentJobs", 1, between(1, 64),
      "Jobs the service runs at once, each in its own FAIR scheduler pool.");

  public static final ConfigKey<Long> SERVICE_TIMEOUT_DATA_MS = ConfigKey.ofLong(
      "spark.sparkgrid.service.timeout.dataMs", 0L, atLeast(0L),
      "Longest a service job may spend reading its data per attempt, where its request sets no"
          + " `training.timeouts.dataMs`; past it the job ends TIMED_OUT in phase `data`. 0: no limit.");

  public static final ConfigKey<Long> SERVICE_TIMEOUT_TRAIN_MS = ConfigKey.ofLong(
      "spark.sparkgrid.service.timeout.trainMs", 0L, atLeast(0L),
      "Longest a service job may spend training (with evaluation) per attempt, where its request sets no"
          + " `training.timeouts.trainMs`; past it the job ends TIMED_OUT in phase `train`. 0: no limit.");

  public static final ConfigKey<Long> SERVICE_TIMEOUT_CHECKPOINT_MS = ConfigKey.ofLong(
      "spark.sparkgrid.service.timeout.checkpointMs", 0L, atLeast(0L),
      "Longest a service job may spend writing checkpoints and its model per attempt, where its request sets no"
          + " `training.timeouts.checkpointMs`; past it the job ends TIMED_OUT in phase `checkpoint`. 0: no limit.");

  public static final ConfigKey<String> JOBS_JDBC_URL = ConfigKey.ofString("spark.sparkgrid.jobs.jdbcUrl", "",
      "JDBC URL of the service's job store (PostgreSQL, MySQL ...). Empty: an H2 file under the home.");

  public static final ConfigKey<Long> CAPACITY_WAIT_TIMEOUT_MS = ConfigKey.ofLong(
      "spark.sparkgrid.capacity.waitTimeoutMs", 0L, atLeast(0L),
      "Longest a job whose `engine.resources` no executor can hold waits (queued) for one; past it the job fails with"
          + " the reason. 0: wait until capacity appears or the job is cancelled.");

  public static final ConfigKey<Long> GPU_STARTUP_TIMEOUT_MS = ConfigKey.ofLong(
      "spark.sparkgrid.gpu.startupTimeoutMs", 120_000L, atLeast(1_000L),
      "When `spark.executor.resource.gpu.amount` asks for GPUs, how long start-up waits for the first executor that"
          + " has one before stopping with a message.");

  /**
   * The prefix of the Kafka client pass-through: {@code spark.sparkgrid.kafka.client.X=V} gives every
   * SparkGrid Kafka client (producers, consumers, admin) the standard client setting {@code X=V},
   * e.g. {@code spark.sparkgrid.kafka.client.security.protocol=SASL_SSL}. These keys are not declared
   * one by one (Kafka declares them); {@link #kafkaClientSettings()} holds them.
   */
  public static final String KAFKA_CLIENT_PREFIX = "spark.sparkgrid.kafka.client.";

  public static final ConfigKey<String> KAFKA_CLIENT_CONFIG_FILE = ConfigKey.ofString(
      "spark.sparkgrid.kafka.client.config.file", "",
      "A Java properties file of standard Kafka client settings (security.protocol, sasl.jaas.config,"
          + " ssl.truststore.location ...) for every SparkGrid Kafka client, like Kafka's own --command-config;"
          + " keep secrets there (mode 0600), never on the command line. Any single setting may also be given as"
          + " `spark.sparkgrid.kafka.client.<setting>` (it wins over the file), and a value may read the environment"
          + " or a file through Kafka's config providers: `${env:VAR}`, `${file:/path:key}`. Settings SparkGrid"
          + " fixes for correctness (enable.auto.commit, isolation.level, acks ...) are refused."
          + " Empty: none, or the embedded broker's `<home>/kafka/client.properties` when its address is used.");

  public static final ConfigKey<Boolean> KAFKA_EMBEDDED_SECURE = ConfigKey.ofBoolean(
      "spark.sparkgrid.kafka.embedded.secure", false,
      "`serve --embedded-kafka` starts the broker with a SASL_SSL listener (SCRAM-SHA-512), TLS certificates and"
          + " credentials generated once under `<home>/kafka/security`, and ACLs (as `--secure` does). False: a"
          + " plaintext listener on 127.0.0.1, for trying SparkGrid on one machine.");

  public static final ConfigKey<String> JOBS_USER = ConfigKey.ofString("spark.sparkgrid.jobs.user", "",
      "Database user of the job store (`jobs.jdbcUrl`). Empty: none, or the one in the URL.");

  public static final ConfigKey<String> JOBS_PASSWORD = ConfigKey.ofString("spark.sparkgrid.jobs.password", "",
      "Database password of the job store; prefer `jobs.passwordFile` or the environment variable"
          + " SPARKGRID_JOBS_PASSWORD, which no process list shows. Never logged.");

  public static final ConfigKey<String> JOBS_PASSWORD_FILE = ConfigKey.ofString("spark.sparkgrid.jobs.passwordFile", "",
      "File whose first line is the job store's database password. Empty: `jobs.password`, else the"
          + " environment variable SPARKGRID_JOBS_PASSWORD, else none.");

  public static final ConfigKey<String> JOBS_OWNER = ConfigKey.ofString("spark.sparkgrid.jobs.owner", "",
      "This service instance's name in job leases (at most 128 characters); keep it across restarts, and"
          + " different for each instance sharing a store. Empty: `<host name>:<home>`.");

  public static final ConfigKey<Long> JOBS_LEASE_MS = ConfigKey.ofLong("spark.sparkgrid.jobs.leaseMs", 60_000L,
      atLeast(1_000L),
      "How long a running job stays its service instance's without a heartbeat; past it another instance"
          + " sharing the store takes the job over and resumes it from its checkpoint.");

  public static final ConfigKey<Integer> KAFKA_REQUEST_PARTITIONS = ConfigKey.ofInt(
      "spark.sparkgrid.kafka.requestPartitions", 3, between(1, 1_000),
      "Partitions of the requests and control topics when `serve` creates them (events and dead letters get one)."
          + " Service instances share one consumer group, so at most this many take requests at once; a topic that"
          + " exists keeps its count (`kafka-topics.sh --alter --partitions N` raises it).");

  public static final ConfigKey<Long> CHAIN_MAX_FEE_PER_GAS_GWEI = ConfigKey.ofLong(
      "spark.sparkgrid.chain.maxFeePerGasGwei", 200L, atLeast(1L),
      "Ceiling on a transaction's EIP-1559 maxFeePerGas (2 x the node's base fee + its priority fee), in gwei. A"
          + " transaction that would need more is not sent; the error names the base fee, the fee and this key.");

  public static final ConfigKey<Integer> CHAIN_GAS_MARGIN_PERCENT = ConfigKey.ofInt(
      "spark.sparkgrid.chain.gasMarginPercent", 25, between(0, 400),
      "Gas limit of a transaction: the node's eth_estimateGas plus this margin, in percent.");

  public static final ConfigKey<Long> CHAIN_LOG_BLOCK_RANGE = ConfigKey.ofLong(
      "spark.sparkgrid.chain.logBlockRange", 2_000L, atLeast(1L),
      "Blocks per eth_getLogs request when settlement events are read (from the deployment block on); public RPC"
          + " providers refuse wide ranges.");

  public static final ConfigKey<Long> CHAIN_DEPLOYMENT_BLOCK = ConfigKey.ofLong(
      "spark.sparkgrid.chain.deploymentBlock", 0L, atLeast(0L),
      "Block of the contracts' deployment, where reading their events starts, when the chain is given by keys"
          + " (`chain deploy` records it in chain.json under the home).");

  public static final ConfigKey<Integer> CHAIN_MAX_ATTEMPTS = ConfigKey.ofInt(
      "spark.sparkgrid.chain.maxAttempts", 10, between(1, 1_000),
      "Attempts to publish one settlement (node unreachable, nonce clash, no receipt, fee above the ceiling), with"
          + " backoff from 0.5 s doubling to 30 s; after the last the settlement fails with its last cause.");

  public static final ConfigKey<Long> CHAIN_RECEIPT_TIMEOUT_MS = ConfigKey.ofLong(
      "spark.sparkgrid.chain.receiptTimeoutMs", 300_000L, atLeast(1_000L),
      "How long a sent transaction may wait for its receipt before the attempt counts as failed.");

  public static final ConfigKey<Long> CHAIN_RECEIPT_POLL_MS = ConfigKey.ofLong(
      "spark.sparkgrid.chain.receiptPollMs", 100L, atLeast(10L),
      "How often a sent transaction's receipt is asked for (at most receiptTimeoutMs). A node that mines at once"
          + " (anvil) answers within one poll; on a public chain (a block every few seconds) 1000 asks the node less often.");

  public static final ConfigKey<String> CHAIN_KEYSTORE = ConfigKey.ofString("spark.sparkgrid.chain.keystore", "",
      "Web3 Secret Storage (V3) keystore file holding the coordinator's key. Empty: the key comes from the"
          + " environment variable SPARKGRID_CHAIN_KEY.");

  public static final ConfigKey<String> CHAIN_KEYSTORE_PASSWORD_FILE = ConfigKey.ofString(
      "spark.sparkgrid.chain.keystorePasswordFile", "",
      "File whose first line is the keystore's password. Empty: commands run at a terminal ask for it.");

  public static final ConfigKey<Integer> METRICS_PORT = ConfigKey.ofInt("spark.sparkgrid.metrics.port", -1,
      between(-1, 65_535),
      "Port of the service's Prometheus endpoint (GET /metrics, docs/metrics.md); -1: no endpoint, 0: a free port"
          + " (logged). 9464 is the usual choice.");

  public static final ConfigKey<String> METRICS_HOST = ConfigKey.ofString("spark.sparkgrid.metrics.host", "127.0.0.1",
      "Address the service's Prometheus endpoint binds to; 0.0.0.0 for every interface (a scraper on another host).");

  public static final ConfigKey<Boolean> AUTH_REQUIRED = ConfigKey.ofBoolean("spark.sparkgrid.auth.required", true,
      "The service takes only requests and control commands signed by a requester of the registry"
          + " (`auth.registry`), within its roles and limits; the others go to the dead-letter topic as `unauthorized`"
          + " (commands: a `command-refused` event). False: unsigned ones are taken as before signing existed (a signed"
          + " one is still checked). See docs/security-requests.md.");

  public static final ConfigKey<String> AUTH_REGISTRY = ConfigKey.ofString("spark.sparkgrid.auth.registry", "",
      "The requester registry, a JSON file the operator owns (`bin/sparkgrid requester add|remove|list`): each"
          + " requester's name, account, roles and limits. Read again when it changes. Empty: `<home>/requesters.json`,"
          + " which `serve` creates with one admin, `local`, whose key it writes to `<home>/keys/requester.json`.");

  public static final ConfigKey<Long> AUTH_CLOCK_SKEW_MS = ConfigKey.ofLong("spark.sparkgrid.auth.clockSkewMs",
      300_000L, atLeast(1_000L),
      "How far a signed record's timestamp may be from the service's clock, either way; an older or later one is"
          + " refused as expired. Nonces are remembered for twice this.");

  public static final ConfigKey<String> FEDERATION_REGISTRY = ConfigKey.ofString(
      "spark.sparkgrid.federation.registry", "",
      "Directory of the federations the operator registered (`bin/sparkgrid federation add`), one"
          + " `<name>.json` each; tree requests name one and may only narrow it. A local path owned by the"
          + " operator, never named by a request. Empty means `<home>/federations`.");

  public static final ConfigKey<String> REQUESTER_KEYSTORE = ConfigKey.ofString("spark.sparkgrid.requester.keystore", "",
      "Web3 Secret Storage (V3) keystore file with the requester's key, which signs `submit`, `cancel` and"
          + " `exclude-site` (and SparkGridClient's requests and commands in the notebooks). Empty: `<home>/keys/requester.json`"
          + " when it exists (the operator's own key, which `serve` makes), else the environment variable"
          + " SPARKGRID_REQUESTER_KEY (a hex private key).");

  public static final ConfigKey<String> REQUESTER_PASSWORD_FILE = ConfigKey.ofString(
      "spark.sparkgrid.requester.passwordFile", "",
      "File whose first line is the password of `requester.keystore`. Empty: `<home>/keys/requester.password` with"
          + " the home's keystore; with another keystore, commands run at a terminal ask for it.");

  public static final ConfigKey<String> REQUESTER_NAME = ConfigKey.ofString("spark.sparkgrid.requester.name", "local",
      Validator.matching("[A-Za-z0-9_-]{1,64}", "1 to 64 characters of A-Z, a-z, 0-9, _ and -"),
      "The requester's name in the service's registry: its job ids live in this namespace (`<name>.<id>`); a"
          + " request id without the prefix gets it when signed.");

  public static final ConfigKey<String> SERVICE_KEYSTORE = ConfigKey.ofString("spark.sparkgrid.service.keystore", "",
      "Web3 Secret Storage (V3) keystore file with the service's key, which signs every event. Empty:"
          + " `<home>/keys/service.json`, made on the first `serve` (its account in `<home>/keys/service.account`).");

  public static final ConfigKey<String> SERVICE_PASSWORD_FILE = ConfigKey.ofString(
      "spark.sparkgrid.service.passwordFile", "",
      "File whose first line is the password of `service.keystore`. Empty: `<home>/keys/service.password` for the"
          + " home's keystore; with another keystore, `serve` run at a terminal asks for it.");

  public static final ConfigKey<String> EVENTS_SERVICE_ACCOUNT = ConfigKey.ofString(
      "spark.sparkgrid.events.serviceAccount", "",
      Validator.matching("|0x[0-9a-fA-F]{40}", "empty or 0x and 40 hex digits"),
      "The service account whose signed events the clients believe (`submit --wait`, `follow`, SparkGridClient);"
          + " any other event is dropped with a line saying why. Empty: the account in `<home>/keys/service.account`"
          + " when it exists (the CLI), else events are not verified (one warning says so).");

  private static final Map<String, ConfigKey<?>> ALL = byName(List.of(
      HOME, STORE_ROOT, ENGINE_THREADS_PER_TASK, ENGINE_JOBS_PER_EPOCH, ENGINE_SYNC_TIMEOUT_MS,
      ENGINE_EXCHANGE_PORT, ENGINE_MERGE_THREADS, ENGINE_EXCHANGE, EVAL_BATCH_SIZE,
      PROGRESS_ENABLED, CHECKPOINT_ENABLED, CHECKPOINT_KEEP, FEDERATION_AGGREGATION, FEDERATION_SITE_IDENTITY, CHAIN_RPC_URL, CHAIN_ID,
      CHAIN_DISTRIBUTOR, CHAIN_ESCROW, KAFKA_BOOTSTRAP_SERVERS, SERVICE_MAX_CONCURRENT_JOBS, SERVICE_TIMEOUT_DATA_MS, SERVICE_TIMEOUT_TRAIN_MS,
      SERVICE_TIMEOUT_CHECKPOINT_MS, JOBS_JDBC_URL, CAPACITY_WAIT_TIMEOUT_MS, GPU_STARTUP_TIMEOUT_MS,
      KAFKA_CLIENT_CONFIG_FILE, KAFKA_EMBEDDED_SECURE,
      JOBS_USER, JOBS_PASSWORD, JOBS_PASSWORD_FILE, JOBS_OWNER, JOBS_LEASE_MS, KAFKA_REQUEST_PARTITIONS,
      CHAIN_MAX_FEE_PER_GAS_GWEI, CHAIN_GAS_MARGIN_PERCENT, CHAIN_LOG_BLOCK_RANGE, CHAIN_DEPLOYMENT_BLOCK,
      CHAIN_MAX_ATTEMPTS, CHAIN_RECEIPT_TIMEOUT_MS, CHAIN_RECEIPT_POLL_MS, CHAIN_KEYSTORE, CHAIN_KEYSTORE_PASSWORD_FILE,
      METRICS_PORT, METRICS_HOST,
      AUTH_REQUIRED, AUTH_REGISTRY, AUTH_CLOCK_SKEW_MS, FEDERATION_REGISTRY,
      REQUESTER_KEYSTORE, REQUESTER_PASSWORD_FILE, REQUESTER_NAME, SERVICE_KEYSTORE, SERVICE_PASSWORD_FILE,
      EVENTS_SERVICE_ACCOUNT));

  private final Map<ConfigKey<?>, Object> values;
  private final Map<String, String> kafkaClientSettings;

  private SparkGridConfig(Map<ConfigKey<?>, Object> values, Map<String, String> kafkaClientSettings) {
    this.values = values;
    this.kafkaClientSettings = kafkaClientSettings;
  }

  /** Every declared key, in declaration order. */
  public static List<ConfigKey<?>> all() {
    return List.copyOf(ALL.values());
  }

  /** The declared key of that name, if any. */
  public static Optional<ConfigKey<?>> key(String name) {
    return Optional.ofNullable(ALL.get(name));
  }

  /** A configuration with every key at its default. */
  public static SparkGridConfig defaults() {
    return from(Map.of());
  }

  /**
   * Reads the {@code spark.sparkgrid.*} entries of a configuration; other entries ({@code spark.master} ...)
   * are ignored. Values are trimmed.
   *
   * @throws IllegalArgumentException for an unknown {@code spark.sparkgrid.*} key (naming the closest
   *     declared key) or a value of the wrong type or out of range (naming the key and the value)
   */
  public static SparkGridConfig from(Map<String, String> props) {
    Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();
    Map<String, String> kafkaClient = new TreeMap<>();
    for (ConfigKey<?> key : ALL.values()) {
      values.put(key, key.defaultValue());
    }
    // Sorted, so that of several bad keys the same one is reported every time
    for (Map.Entry<String, String> e : new TreeMap<>(props).entrySet()) {
      if (!e.getKey().startsWith(PREFIX)) {
        continue;
      }
      ConfigKey<?> key = ALL.get(e.getKey());
      if (key == null && e.getKey().startsWith(KAFKA_CLIENT_PREFIX)
          && e.getKey().length() > KAFKA_CLIENT_PREFIX.length()) {
        kafkaClient.put(e.getKey().substring(KAFKA_CLIENT_PREFIX.length()),
            Objects.requireNonNull(e.getValue(), e.getKey()).trim());
        continue;
      }
      if (key == null) {
        throw new IllegalArgumentException("Unknown configuration key " + e.getKey()
            + "; did you mean " + closest(e.getKey()) + "?");
      }
      values.put(key, key.parse(Objects.requireNonNull(e.getValue(), e.getKey())));
    }
    return new SparkGridConfig(Collections.unmodifiableMap(values), Collections.unmodifiableMap(kafkaClient));
  }

  /**
   * The Kafka client pass-through: each {@code spark.sparkgrid.kafka.client.X=V} as {@code X -> V},
   * sorted by name ({@link #KAFKA_CLIENT_CONFIG_FILE} is a declared key, not part of it). Kafka, not
   * SparkGrid, knows the settings: an unknown one is passed on and Kafka warns about it.
   */
  public Map<String, String> kafkaClientSettings() {
    return kafkaClientSettings;
  }

  /** The configured value of a declared key, or its default. */
  public <T> T get(ConfigKey<T> key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException(key.name() + " is not declared in SparkGridConfig");
    }
    return key.type().cast(values.get(key));
  }

  /**
   * {@link #HOME}; where it is empty, the environment variable {@value #HOME_ENV}; where that is unset
   * or blank, {@code ${user.home}/.sparkgrid}.
   */
  public String home() {
    return home(get(HOME), System.getenv(HOME_ENV), System.getProperty("user.home"));
  }

  /**
   * The home from the configured {@link #HOME}, the value of {@value #HOME_ENV} ({@code null} when
   * unset) and the user's home directory, in that order.
   */
  static String home(String configured, String environment, String userHome) {
    if (!configured.isEmpty()) {
      return configured;
    }
    if (environment != null && !environment.isBlank()) {
      return environment.strip();
    }
    return userHome + "/.sparkgrid";
  }

  /** {@link #STORE_ROOT}, or {@code file:<home>/store} when empty. */
  public String storeRoot() {
    String root = get(STORE_ROOT);
    return root.isEmpty() ? "file:" + home() + "/store" : root;
  }

  /** {@link #FEDERATION_REGISTRY}, or {@code <home>/federations} when empty. */
  public String federationRegistry() {
    String dir = get(FEDERATION_REGISTRY);
    return dir.isEmpty() ? home() + "/federations" : dir;
  }

  /**
   * The reference of every key as a Markdown table (key | type | default | valid values |
   * description), generated from the declarations.
   */
  public static String markdownReference() {
    StringBuilder md = new StringBuilder();
    md.append("| key | type | default | valid values | description |\n");
    md.append("|---|---|---|---|---|\n");
    for (ConfigKey<?> key : ALL.values()) {
      String dflt = key.defaultValue().toString();
      md.append("| `").append(key.name()).append("` | ")
          .append(key.typeName()).append(" | ")
          .append(dflt.isEmpty() ? "(empty)" : "`" + dflt + "`").append(" | ")
          .append(cell(key.validValues())).append(" | ")
          .append(cell(key.doc())).append(" |\n");
    }
    return md.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SparkGridConfig other && values.equals(other.values)
        && kafkaClientSettings.equals(other.kafkaClientSettings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(values, kafkaClientSettings);
  }

  /** The values; the Kafka client pass-through by name only, since it may hold secrets. */
  @Override
  public String toString() {
    return values + (kafkaClientSettings.isEmpty() ? "" : " + kafka client settings " + kafkaClientSettings.keySet());
  }

  /** A Markdown table cell: pipes escaped, newlines as spaces. */
  static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static Map<String, ConfigKey<?>> byName(List<ConfigKey<?>> keys) {
    Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
    for (ConfigKey<?> k : keys) {
      if (m.put(k.name(), k) != null) {
        throw new IllegalStateException("config key declared twice: " + k.name());
      }
      if (!k.name().startsWith(PREFIX)) {
        throw new IllegalStateException("config key " + k.name() + " must start with " + PREFIX);
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /** The declared key with the smallest edit distance (case-insensitive) to {@code name}. */
  static String closest(String name) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : ALL.keySet()) {
      int d = editDistance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(substitute, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
