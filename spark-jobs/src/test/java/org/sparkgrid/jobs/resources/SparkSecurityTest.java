package org.sparkgrid.jobs.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** Spark's RPC security settings per master: where the secret comes from, and what is refused. */
class SparkSecurityTest {

  @Test
  void aLocalClusterWithAuthenticationAndNoSecretGetsARandomOne() {
    SparkConf a = new SparkConf(false).setMaster("local-cluster[2,1,1024]").set("spark.authenticate", "true");
    SparkConf b = new SparkConf(false).setMaster("local-cluster[2,1,1024]").set("spark.authenticate", "true");

    SparkSecurity.prepare(a);
    SparkSecurity.prepare(b);

    assertThat(a.get("spark.authenticate.secret")).hasSize(64).matches("[0-9a-f]+")
        .isNotEqualTo(b.get("spark.authenticate.secret"));
  }

  @Test
  void aSecretAlreadySetIsKept() {
    SparkConf c = new SparkConf(false).setMaster("local-cluster[2,1,1024]").set("spark.authenticate", "true")
        .set("spark.authenticate.secret", "mine");

    SparkSecurity.prepare(SparkSecurity.prepare(c));

    assertThat(c.get("spark.authenticate.secret")).isEqualTo("mine");
  }

  @Test
  void mastersWhereSparkDrawsTheSecretAreLeftAlone() {
    for (String master : new String[] {"local[2]", "local[*]", "yarn", "k8s://https://api:6443"}) {
      assertThat(SparkSecurity.needsGeneratedSecret(Map.of("spark.master", master, "spark.authenticate", "true")))
          .as(master).isFalse();
      SparkSecurity.check(Map.of("spark.master", master, "spark.authenticate", "true",
          "spark.network.crypto.enabled", "true"), false);
    }
    assertThat(SparkSecurity.needsGeneratedSecret(Map.of("spark.master", "local-cluster[2,1,1024]"))).isFalse();
  }

  @Test
  void aStandaloneMasterWithAuthenticationNeedsTheClustersSecret() {
    assertThatThrownBy(() -> SparkSecurity.check(
        Map.of("spark.master", "spark://master:7077", "spark.authenticate", "true"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.authenticate is true and master spark://master:7077 is a standalone cluster, which has no"
            + " per-application secret: set spark.authenticate.secret (or spark.authenticate.secret.file) to the"
            + " secret its master and workers were started with (docs/security-cluster.md)");
    // given in the configuration, or by the worker that started this driver (cluster deploy mode)
    SparkSecurity.check(Map.of("spark.master", "spark://master:7077", "spark.authenticate", "true",
        "spark.authenticate.secret.file", "/etc/spark/secret"), false);
    SparkSecurity.check(Map.of("spark.master", "spark://master:7077", "spark.authenticate", "true"), true);
  }

  @Test
  void networkEncryptionWithoutAuthenticationIsRefused() {
    assertThatThrownBy(() -> SparkSecurity.check(
        Map.of("spark.master", "yarn", "spark.network.crypto.enabled", "true"), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.network.crypto.enabled is true but spark.authenticate is not: Spark encrypts only"
            + " authenticated connections, so its RPC would stay in the clear; set spark.authenticate=true"
            + " (docs/security-cluster.md)");
  }
}
