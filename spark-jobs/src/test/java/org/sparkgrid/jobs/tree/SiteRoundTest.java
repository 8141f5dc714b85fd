package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SiteRoundTest {

  @Test
  void aSiteHasAsManyAttemptsAsSparkGivesItsTask() {
    SparkConf conf = new SparkConf(false);

    assertThat(SiteRound.maxAttempts("local", conf)).isEqualTo(1);
    assertThat(SiteRound.maxAttempts("local[2]", conf)).isEqualTo(1);
    assertThat(SiteRound.maxAttempts("local[*]", conf)).isEqualTo(1);
    assertThat(SiteRound.maxAttempts("local[4,3]", conf)).isEqualTo(3);
    assertThat(SiteRound.maxAttempts("local-cluster[2,1,1024]", conf)).as("Spark's default").isEqualTo(4);
    assertThat(SiteRound.maxAttempts("yarn", conf.set("spark.task.maxFailures", "6"))).isEqualTo(6);
  }

  @Test
  void aFailureIsReportedByItsRootCause() {
    Exception e = new IllegalStateException("task failed", new java.io.IOException("disk on fire"));

    assertThat(SiteRound.rootMessage(e)).isEqualTo("disk on fire");
    assertThat(SiteRound.rootMessage(new NullPointerException())).isEqualTo("java.lang.NullPointerException");
  }
}
