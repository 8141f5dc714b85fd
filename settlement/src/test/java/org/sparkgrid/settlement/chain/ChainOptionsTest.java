package org.sparkgrid.settlement.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.config.SparkGridConfig;

class ChainOptionsTest {

  @Test
  void receiptsArePolledEvery100MsByDefaultAndAsConfigured() {
    assertThat(ChainOptions.from(SparkGridConfig.defaults()).receiptPoll()).isEqualTo(Duration.ofMillis(100));
    assertThat(ChainOptions.from(SparkGridConfig.from(Map.of("spark.sparkgrid.chain.receiptPollMs", "2000")))
        .receiptPoll()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void thePollIsNeverLongerThanTheTimeout() {
    ChainOptions o = ChainOptions.from(SparkGridConfig.from(Map.of("spark.sparkgrid.chain.receiptPollMs", "5000",
        "spark.sparkgrid.chain.receiptTimeoutMs", "1000")));

    assertThat(o.receiptPoll()).isEqualTo(Duration.ofSeconds(1));
    assertThat(o.receiptTimeout()).isEqualTo(Duration.ofSeconds(1));
  }
}
