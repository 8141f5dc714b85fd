package org.sparkgrid.jobs.resources;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;

/**
 * Spark's own RPC security as SparkGrid's contexts start it: {@code spark.authenticate},
 * {@code spark.network.crypto.enabled} and {@code spark.io.encryption.enabled} (Spark 3.5's security
 * guide). Where the secret of {@code spark.authenticate} comes from depends on the master:
 *
 * <ul>
 *   <li>{@code local[*]}, {@code yarn}, {@code k8s://}: Spark draws one per application; nothing to set;
 *   <li>{@code local-cluster[...]} (tests): master, worker and driver share this JVM's configuration,
 *       so SparkGrid draws a random one per context when none is set;
 *   <li>{@code spark://} (standalone): the master and workers were started with a cluster-wide secret,
 *       which the application must be given ({@code spark.authenticate.secret} or
 *       {@code spark.authenticate.secret.file}); without it the context is refused here, with the reason.
 * </ul>
 *
 * And Spark encrypts only authenticated connections: {@code spark.network.crypto.enabled} without
 * {@code spark.authenticate} would leave the RPC in the clear, so that combination is refused.
 *
 * <pre>{@code
 * SparkConf c = new SparkConf().setMaster("local-cluster[2,1,1024]").set("spark.authenticate", "true");
 * SparkSecurity.prepare(c);   // c now holds a random spark.authenticate.secret
 * }</pre>
 */
public final class SparkSecurity {
  static final String AUTHENTICATE = "spark.authenticate";
  static final String SECRET = "spark.authenticate.secret";
  static final String NETWORK_CRYPTO = "spark.network.crypto.enabled";
  /** Where a standalone worker hands the cluster's secret to the executors and drivers it starts. */
  static final String SECRET_ENV = "_SPARK_AUTH_SECRET";
  private static final String[] SECRET_SOURCES = {SECRET, "spark.authenticate.secret.file",
      "spark.authenticate.secret.driver.file"};

  private SparkSecurity() {}

  /**
   * Checks the security settings of {@code conf} and completes them where SparkGrid can: a random
   * secret for a {@code local-cluster} master with {@code spark.authenticate} on and no secret.
   *
   * @throws IllegalArgumentException for {@code spark.network.crypto.enabled} without
   *     {@code spark.authenticate}, or a standalone master with {@code spark.authenticate} and no secret
   */
  public static SparkConf prepare(SparkConf conf) {
    Map<String, String> settings = SparkContexts.settings(conf);
    check(settings, System.getenv(SECRET_ENV) != null);
    if (needsGeneratedSecret(settings)) {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      conf.set(SECRET, HexFormat.of().formatHex(b));
    }
    return conf;
  }

  /**
   * The rules of {@link #prepare} over plain settings.
   *
   * @param secretInEnv whether a standalone worker has put the cluster's secret in {@value #SECRET_ENV}
   * @throws IllegalArgumentException naming the keys and the master
   */
  static void check(Map<String, String> settings, boolean secretInEnv) {
    boolean auth = on(settings, AUTHENTICATE);
    if (on(settings, NETWORK_CRYPTO) && !auth) {
      throw new IllegalArgumentException(NETWORK_CRYPTO + " is true but " + AUTHENTICATE + " is not: Spark"
          + " encrypts only authenticated connections, so its RPC would stay in the clear; set "
          + AUTHENTICATE + "=true (docs/security-cluster.md)");
    }
    String master = settings.getOrDefault("spark.master", "");
    if (auth && master.startsWith("spark://") && secretSource(settings).isEmpty() && !secretInEnv) {
      throw new IllegalArgumentException(AUTHENTICATE + " is true and master " + master + " is a standalone"
          + " cluster, which has no per-application secret: set " + SECRET + " (or spark.authenticate.secret.file)"
          + " to the secret its master and workers were started with (docs/security-cluster.md)");
    }
  }

  /** Whether {@link #prepare} draws a secret: a local-cluster master, authentication on, no secret set. */
  static boolean needsGeneratedSecret(Map<String, String> settings) {
    return on(settings, AUTHENTICATE) && settings.getOrDefault("spark.master", "").startsWith("local-cluster")
        && secretSource(settings).isEmpty();
  }

  private static Optional<String> secretSource(Map<String, String> settings) {
    for (String k : SECRET_SOURCES) {
      if (settings.containsKey(k)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }

  private static boolean on(Map<String, String> settings, String key) {
    return Boolean.parseBoolean(settings.getOrDefault(key, "false").strip());
  }
}
