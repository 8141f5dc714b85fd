package org.sparkgrid.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A signing client's job ids live in its requester's namespace: {@code <name>.<id>}, added once. */
class RequesterNamespaceTest {

  @Test
  void anIdWithoutTheRequestersPrefixGetsIt() {
    assertThat(SparkGridClient.namespaced("local", "fmnist-mlp-0001")).isEqualTo("local.fmnist-mlp-0001");
  }

  @Test
  void anIdWithThePrefixKeepsIt() {
    assertThat(SparkGridClient.namespaced("local", "local.fmnist-mlp-0001")).isEqualTo("local.fmnist-mlp-0001");
  }

  @Test
  void aPrefixThatOnlyStartsLikeTheNameIsNotIt() {
    assertThat(SparkGridClient.namespaced("local", "localhost.job")).isEqualTo("local.localhost.job");
  }

  @Test
  void anUnsignedClientLeavesIdsAlone() {
    assertThat(SparkGridClient.namespaced(null, "fmnist-mlp-0001")).isEqualTo("fmnist-mlp-0001");
  }

  @Test
  void aRequesterNameWithADotIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> SparkGridClient.checkRequesterName("bob.smith"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.requester.name: must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -, got 'bob.smith'");
  }
}
