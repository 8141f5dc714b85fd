package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.sparkgrid.core.request.RequestCodecTest.TREE;
import static org.sparkgrid.core.request.RequestCodecTest.with;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How the codec checks {@code federation.strategy} through a {@link StrategyCatalog}, with a
 * two-type catalog written here (the real one is the federation module's, tested there), and what
 * it does when core is used alone (no catalog on core's test classpath).
 */
class StrategyCatalogTest {

  /** "mean" without parameters; "trimmed-mean" with trim in [0, 0.5) and at least 3 sites. */
  static final StrategyCatalog TWO_TYPES = new StrategyCatalog() {
    @Override
    public List<String> types() {
      return List.of("mean", "trimmed-mean");
    }

    @Override
    public void check(StrategySpec strategy) {
      Object trim = strategy.params().get("trim");
      if (strategy.type().equals("trimmed-mean") && trim instanceof Double d && !(d >= 0 && d < 0.5)) {
        throw new InvalidRequestException("federation.strategy.trim", trim.toString(),
            "must be in [0, 0.5), got " + trim);
      }
    }

    @Override
    public void check(FederationSpec federation) {
      if (federation.strategy().type().equals("trimmed-mean") && federation.minSites() < 3) {
        throw new InvalidRequestException("federation.minSites", Integer.toString(federation.minSites()),
            "must be at least 3 for trimmed-mean, got " + federation.minSites());
      }
    }
  };

  private static InvalidRequestException refusal(String json) {
    return catchThrowableOfType(() -> RequestCodec.parse(json, TWO_TYPES), InvalidRequestException.class);
  }

  @Test
  void refusesATypeTheCatalogDoesNotListNamingTheTypes() {
    InvalidRequestException e = refusal(with(TREE, "federation.strategy", "{\"type\": \"fedsgd\"}"));

    assertThat(e).hasMessage("federation.strategy.type: must be one of mean, trimmed-mean, got \"fedsgd\"");
    assertThat(e.value()).isEqualTo("fedsgd");
  }

  @Test
  void refusesATypeThatIsNotText() {
    assertThat(refusal(with(TREE, "federation.strategy.type", "5")))
        .hasMessage("federation.strategy.type: must be one of mean, trimmed-mean, got 5");
  }

  @Test
  void refusesAParameterTheCatalogRefusesWhenTheRequestIsParsed() {
    assertThat(refusal(with(TREE, "federation.strategy.trim", "0.6")))
        .hasMessage("federation.strategy.trim: must be in [0, 0.5), got 0.6");
  }

  @Test
  void asksTheCatalogForTheRulesBetweenTheStrategyAndMinSites() {
    assertThat(refusal(with(TREE, "federation.minSites", "2")))
        .hasMessage("federation.minSites: must be at least 3 for trimmed-mean, got 2");
  }

  @Test
  void aValidStrategyIsReadAsWritten() {
    StrategySpec s = RequestCodec.parse(with(TREE, "federation.strategy.trim", "0.1"), TWO_TYPES)
        .federation().strategy();

    assertThat(s).isEqualTo(new StrategySpec("trimmed-mean", Map.of("trim", 0.1)));
  }

  @Test
  void coreAloneHasNoCatalogAndLeavesTheStrategyToTheJob() {
    // core's test classpath registers no catalog, as the ingest module's does not
    TrainingRequest r = RequestCodec.parse(with(TREE, "federation.strategy", "{\"type\": \"fedsgd\", \"trim\": 7}"));

    assertThat(StrategyCatalog.installed()).isSameAs(StrategyCatalog.UNCHECKED);
    assertThat(RequestCodec.strategyTypes()).isEmpty();
    assertThat(r.federation().strategy()).isEqualTo(new StrategySpec("fedsgd", Map.of("trim", 7.0)));
  }

  @Test
  void withoutACatalogTheTypeMustStillBeText() {
    assertThatThrownBy(() -> RequestCodec.parse(with(TREE, "federation.strategy.type", "5")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("federation.strategy.type: must be a string, got 5");
  }

  @Test
  void pickRefusesTwoCatalogsAndFallsBackToUncheckedForNone() {
    assertThat(InstalledStrategyCatalog.pick(List.of())).isSameAs(StrategyCatalog.UNCHECKED);
    assertThat(InstalledStrategyCatalog.pick(List.of(TWO_TYPES))).isSameAs(TWO_TYPES);
    assertThatThrownBy(() -> InstalledStrategyCatalog.pick(List.of(TWO_TYPES, StrategyCatalog.UNCHECKED)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("more than one StrategyCatalog is registered: [")
        .hasMessageEndingWith("]; keep one on the classpath");
  }
}
