package org.sparkgrid.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkgrid.core.config.Validator.atLeast;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparkGridConfigTest {

  @Test
  void usesTheDefaultsWhenNothingIsSet() {
    SparkGridConfig conf = SparkGridConfig.from(Map.of());

    assertThat(conf.get(SparkGridConfig.ENGINE_THREADS_PER_TASK)).isEqualTo(1);
    assertThat(conf.get(SparkGridConfig.ENGINE_JOBS_PER_EPOCH)).isEqualTo(4);
    assertThat(conf.get(SparkGridConfig.EVAL_BATCH_SIZE)).isEqualTo(1000);
    assertThat(conf.get(SparkGridConfig.PROGRESS_ENABLED)).isTrue();
    assertThat(conf.get(SparkGridConfig.CHECKPOINT_ENABLED)).isTrue();
    assertThat(conf.get(SparkGridConfig.CHECKPOINT_KEEP)).isEqualTo(3);
    assertThat(conf.get(SparkGridConfig.HOME)).isEmpty();
    assertThat(conf.get(SparkGridConfig.METRICS_PORT)).isEqualTo(-1);
    assertThat(conf.get(SparkGridConfig.METRICS_HOST)).isEqualTo("127.0.0.1");
  }

  @Test
  void readsTypedValuesTrimmed() {
    SparkGridConfig conf = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.checkpoint.keep", " 5 ",
        "spark.sparkgrid.progress.enabled", "FALSE",
        "spark.sparkgrid.store.root", "hdfs://nn:8020/sparkgrid"));

    assertThat(conf.get(SparkGridConfig.CHECKPOINT_KEEP)).isEqualTo(5);
    assertThat(conf.get(SparkGridConfig.PROGRESS_ENABLED)).isFalse();
    assertThat(conf.storeRoot()).isEqualTo("hdfs://nn:8020/sparkgrid");
  }

  @Test
  void ignoresKeysOutsideItsPrefix() {
    SparkGridConfig conf = SparkGridConfig.from(Map.of("spark.master", "local[2]", "spark.sparkgridx", "1"));

    assertThat(conf).isEqualTo(SparkGridConfig.defaults());
  }

  @Test
  void resolvesAnEmptyHomeAndStoreRoot() {
    assumeTrue(System.getenv(SparkGridConfig.HOME_ENV) == null, "SPARKGRID_HOME is set here");
    SparkGridConfig conf = SparkGridConfig.defaults();

    assertThat(conf.home()).isEqualTo(System.getProperty("user.home") + "/.sparkgrid");
    assertThat(conf.storeRoot()).isEqualTo("file:" + System.getProperty("user.home") + "/.sparkgrid/store");
  }

  @Test
  void theHomeIsTheKeyThenSparkgridHomeThenTheUsersHome() {
    assertThat(SparkGridConfig.home("/srv/from-key", "/srv/from-env", "/home/me")).isEqualTo("/srv/from-key");
    assertThat(SparkGridConfig.home("", "/srv/from-env", "/home/me")).isEqualTo("/srv/from-env");
    assertThat(SparkGridConfig.home("", " /srv/from-env ", "/home/me")).isEqualTo("/srv/from-env");
    assertThat(SparkGridConfig.home("", "  ", "/home/me")).isEqualTo("/home/me/.sparkgrid");
    assertThat(SparkGridConfig.home("", null, "/home/me")).isEqualTo("/home/me/.sparkgrid");
  }

  @Test
  void aJvmStartedWithSparkgridHomeUsesItWhereTheKeyIsUnset() throws Exception {
    ProcessBuilder keyed = printHome("/srv/from-key");
    ProcessBuilder unkeyed = printHome();
    keyed.environment().put(SparkGridConfig.HOME_ENV, "/srv/from-env");
    unkeyed.environment().put(SparkGridConfig.HOME_ENV, "/srv/from-env");

    assertThat(output(unkeyed)).isEqualTo("/srv/from-env|file:/srv/from-env/store");
    assertThat(output(keyed)).isEqualTo("/srv/from-key|file:/srv/from-key/store");
  }

  private static ProcessBuilder printHome(String... args) {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), PrintHome.class.getName()));
    command.addAll(java.util.List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static String output(ProcessBuilder b) throws Exception {
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  /** Prints the home and store root of a configuration with {@code spark.sparkgrid.home} set to the first argument, if any. */
  static final class PrintHome {
    public static void main(String[] args) {
      SparkGridConfig conf = SparkGridConfig.from(args.length == 0 ? Map.of() : Map.of("spark.sparkgrid.home", args[0]));
      System.out.print(conf.home() + "|" + conf.storeRoot());
    }
  }

  @Test
  void derivesTheStoreRootFromASetHome() {
    SparkGridConfig conf = SparkGridConfig.from(Map.of("spark.sparkgrid.home", "/srv/sg"));

    assertThat(conf.storeRoot()).isEqualTo("file:/srv/sg/store");
  }

  @Test
  void theFederationRegistryIsUnderTheHomeUnlessSet() {
    SparkGridConfig dflt = SparkGridConfig.from(Map.of("spark.sparkgrid.home", "/srv/sg"));
    SparkGridConfig set = SparkGridConfig.from(Map.of("spark.sparkgrid.home", "/srv/sg",
        "spark.sparkgrid.federation.registry", "/etc/sparkgrid/federations"));

    assertThat(dflt.federationRegistry()).isEqualTo("/srv/sg/federations");
    assertThat(set.federationRegistry()).isEqualTo("/etc/sparkgrid/federations");
  }

  @Test
  void refusesAnUnknownKeySuggestingTheClosest() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.engine.threadPerTask", "2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown configuration key spark.sparkgrid.engine.threadPerTask;"
            + " did you mean spark.sparkgrid.engine.threadsPerTask?");
  }

  @Test
  void refusesAValueBelowItsMinimum() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.engine.threadsPerTask", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.engine.threadsPerTask must be at least 1. Current value is 0.");
  }

  @Test
  void refusesAValueOutsideItsRange() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.eval.batchSize", "100001")))
        .hasMessage("spark.sparkgrid.eval.batchSize must be between 1 and 100000. Current value is 100001.");
  }

  @Test
  void refusesAValueThatIsNotAnInteger() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.checkpoint.keep", "three")))
        .hasMessage("spark.sparkgrid.checkpoint.keep must be an integer. Current value is \"three\".");
  }

  @Test
  void refusesABooleanOtherThanTrueOrFalse() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.checkpoint.enabled", "yes")))
        .hasMessage("spark.sparkgrid.checkpoint.enabled must be true or false. Current value is \"yes\".");
  }

  @Test
  void refusesAWordOutsideItsChoices() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.federation.aggregation", "executors")))
        .hasMessage("spark.sparkgrid.federation.aggregation must be one of spark, driver. Current value is \"executors\".");
    assertThat(SparkGridConfig.from(Map.of("spark.sparkgrid.federation.aggregation", " driver "))
        .get(SparkGridConfig.FEDERATION_AGGREGATION)).isEqualTo("driver");
  }

  @Test
  void siteIdentityIsAutoUnlessSetAndRefusesOtherWords() {
    assertThat(SparkGridConfig.from(Map.of()).get(SparkGridConfig.FEDERATION_SITE_IDENTITY)).isEqualTo("auto");
    assertThat(SparkGridConfig.from(Map.of("spark.sparkgrid.federation.siteIdentity", "executor"))
        .get(SparkGridConfig.FEDERATION_SITE_IDENTITY)).isEqualTo("executor");
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.federation.siteIdentity", "site")))
        .hasMessage("spark.sparkgrid.federation.siteIdentity must be one of auto, executor, coordinator."
            + " Current value is \"site\".");
  }

  @Test
  void theEngineExchangeIsPeersUnlessSetAndRefusesOtherWords() {
    assertThat(SparkGridConfig.from(Map.of()).get(SparkGridConfig.ENGINE_EXCHANGE)).isEqualTo("peers");
    assertThat(SparkGridConfig.from(Map.of("spark.sparkgrid.engine.exchange", "driver"))
        .get(SparkGridConfig.ENGINE_EXCHANGE)).isEqualTo("driver");
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.engine.exchange", "ring")))
        .hasMessage("spark.sparkgrid.engine.exchange must be one of peers, driver. Current value is \"ring\".");
  }

  @Test
  void listsEveryKeyOnceInDeclarationOrder() {
    assertThat(SparkGridConfig.all()).extracting(ConfigKey::name).containsExactly(
        "spark.sparkgrid.home", "spark.sparkgrid.store.root", "spark.sparkgrid.engine.threadsPerTask",
        "spark.sparkgrid.engine.jobsPerEpoch", "spark.sparkgrid.engine.syncTimeoutMs",
        "spark.sparkgrid.engine.exchangePort", "spark.sparkgrid.engine.mergeThreads",
        "spark.sparkgrid.engine.exchange", "spark.sparkgrid.eval.batchSize", "spark.sparkgrid.progress.enabled",
        "spark.sparkgrid.checkpoint.enabled", "spark.sparkgrid.checkpoint.keep",
        "spark.sparkgrid.federation.aggregation", "spark.sparkgrid.federation.siteIdentity",
        "spark.sparkgrid.chain.rpcUrl",
        "spark.sparkgrid.chain.chainId", "spark.sparkgrid.chain.distributor", "spark.sparkgrid.chain.escrow",
        "spark.sparkgrid.kafka.bootstrapServers",
        "spark.sparkgrid.service.maxConcurrentJobs", "spark.sparkgrid.service.timeout.dataMs",
        "spark.sparkgrid.service.timeout.trainMs", "spark.sparkgrid.service.timeout.checkpointMs",
        "spark.sparkgrid.jobs.jdbcUrl", "spark.sparkgrid.capacity.waitTimeoutMs",
        "spark.sparkgrid.gpu.startupTimeoutMs",
        "spark.sparkgrid.kafka.client.config.file", "spark.sparkgrid.kafka.embedded.secure",
        "spark.sparkgrid.jobs.user", "spark.sparkgrid.jobs.password",
        "spark.sparkgrid.jobs.passwordFile", "spark.sparkgrid.jobs.owner", "spark.sparkgrid.jobs.leaseMs",
        "spark.sparkgrid.kafka.requestPartitions", "spark.sparkgrid.chain.maxFeePerGasGwei",
        "spark.sparkgrid.chain.gasMarginPercent", "spark.sparkgrid.chain.logBlockRange",
        "spark.sparkgrid.chain.deploymentBlock", "spark.sparkgrid.chain.maxAttempts",
        "spark.sparkgrid.chain.receiptTimeoutMs", "spark.sparkgrid.chain.receiptPollMs", "spark.sparkgrid.chain.keystore",
        "spark.sparkgrid.chain.keystorePasswordFile", "spark.sparkgrid.metrics.port", "spark.sparkgrid.metrics.host",
        "spark.sparkgrid.auth.required", "spark.sparkgrid.auth.registry", "spark.sparkgrid.auth.clockSkewMs",
        "spark.sparkgrid.federation.registry", "spark.sparkgrid.requester.keystore",
        "spark.sparkgrid.requester.passwordFile", "spark.sparkgrid.requester.name",
        "spark.sparkgrid.service.keystore", "spark.sparkgrid.service.passwordFile",
        "spark.sparkgrid.events.serviceAccount");
  }

  @Test
  void refusesAServiceAccountOrRequesterNameOfTheWrongForm() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.events.serviceAccount", "0x12")))
        .hasMessage("spark.sparkgrid.events.serviceAccount must be empty or 0x and 40 hex digits. Current value is \"0x12\".");
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.requester.name", "bob.smith")))
        .hasMessage("spark.sparkgrid.requester.name must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -."
            + " Current value is \"bob.smith\".");
    assertThat(SparkGridConfig.defaults().get(SparkGridConfig.REQUESTER_NAME)).isEqualTo("local");
    assertThat(SparkGridConfig.defaults().get(SparkGridConfig.EVENTS_SERVICE_ACCOUNT)).isEmpty();
  }

  @Test
  void findsADeclaredKeyByName() {
    assertThat(SparkGridConfig.key("spark.sparkgrid.checkpoint.keep")).contains(SparkGridConfig.CHECKPOINT_KEEP);
    assertThat(SparkGridConfig.key("spark.sparkgrid.nope")).isEmpty();
  }

  @Test
  void refusesAKeyThatIsNotDeclared() {
    ConfigKey<Integer> stray = ConfigKey.ofInt("spark.sparkgrid.stray", 1, atLeast(1), "not in the registry");

    assertThatThrownBy(() -> SparkGridConfig.defaults().get(stray))
        .hasMessage("spark.sparkgrid.stray is not declared in SparkGridConfig");
  }

  @Test
  void generatesTheMarkdownReferenceFromTheDeclarations() {
    String md = SparkGridConfig.markdownReference();

    assertThat(md.lines().toList()).hasSize(2 + SparkGridConfig.all().size());
    assertThat(md).startsWith("| key | type | default | valid values | description |\n|---|---|---|---|---|\n");
    assertThat(md).contains("| `spark.sparkgrid.eval.batchSize` | int | `1000` | 1 to 100000 |"
        + " Minibatch size when evaluating a model on test data. |\n");
    assertThat(md).contains("| `spark.sparkgrid.home` | string | (empty) | any |");
    assertThat(md).contains("| `spark.sparkgrid.progress.enabled` | boolean | `true` | true or false |");
  }

  @Test
  void escapesPipesAndNewlinesInAReferenceCell() {
    assertThat(SparkGridConfig.cell("a|b\nc")).isEqualTo("a\\|b c");
  }

  @Test
  void keepsTheKafkaClientPassThroughApartWithItsPrefixStripped() {
    SparkGridConfig conf = SparkGridConfig.from(Map.of(
        "spark.sparkgrid.kafka.client.security.protocol", " SASL_SSL ",
        "spark.sparkgrid.kafka.client.sasl.mechanism", "SCRAM-SHA-512",
        "spark.sparkgrid.kafka.client.config.file", "/etc/sparkgrid/kafka.properties"));

    assertThat(conf.kafkaClientSettings())
        .containsExactly(Map.entry("sasl.mechanism", "SCRAM-SHA-512"), Map.entry("security.protocol", "SASL_SSL"));
    assertThat(conf.get(SparkGridConfig.KAFKA_CLIENT_CONFIG_FILE)).isEqualTo("/etc/sparkgrid/kafka.properties");
    assertThat(conf.toString()).contains("kafka client settings [sasl.mechanism, security.protocol]")
        .doesNotContain("SCRAM-SHA-512");
  }

  @Test
  void stillRefusesAnUnknownKafkaKeyOutsideThePassThrough() {
    assertThatThrownBy(() -> SparkGridConfig.from(Map.of("spark.sparkgrid.kafka.bootstrapServer", "h:9092")))
        .hasMessage("Unknown configuration key spark.sparkgrid.kafka.bootstrapServer;"
            + " did you mean spark.sparkgrid.kafka.bootstrapServers?");
  }
}
