package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.federation.strategy.Strategies;

/** A federation refuses, before anything trains, a strategy whose site side SparkGrid does not run yet. */
class UnsupportedStrategiesTest {

  @Test
  void fedNovaIsRefusedNamingTheLocalSteps() {
    assertThatThrownBy(() -> FederationRunner.refuseUnsupported(Strategies.create(new StrategySpec("fednova",
        Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("federation.strategy.type: fednova needs each site's number of local steps, which SparkGrid's"
            + " site task does not send yet; choose another strategy (docs/strategies.md)");
  }

  @Test
  void scaffoldIsRefusedNamingTheControlVariates() {
    assertThatThrownBy(() -> FederationRunner.refuseUnsupported(Strategies.create(new StrategySpec("scaffold",
        Map.of()))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("federation.strategy.type: scaffold needs each site's control-variate delta");
  }

  @Test
  void fedAvgAndTrimmedMeanRun() {
    assertThatCode(() -> FederationRunner.refuseUnsupported(Strategies.create(new StrategySpec("fedavg", Map.of()))))
        .doesNotThrowAnyException();
    assertThatCode(() -> FederationRunner.refuseUnsupported(Strategies.create(new StrategySpec("trimmed-mean",
        Map.of("trim", 0.2))))).doesNotThrowAnyException();
  }
}
