package org.sparkgrid.federation.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sparkgrid.federation.strategy.Updates.strategy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.StrategyCatalog;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.core.request.TrainingRequest;

class StrategiesTest {

  @Test
  void refusesATrimOutOfRangeNamingFieldAndValue() {
    assertThatThrownBy(() -> strategy("trimmed-mean", "trim", 0.6))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.field()).isEqualTo("federation.strategy.trim");
          assertThat(e.value()).isEqualTo("0.6");
        })
        .hasMessage("federation.strategy.trim: must be in [0, 0.5), got 0.6");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "fedavgm    | momentum        | 1     | federation.strategy.momentum: must be in [0, 1), got 1",
      "fedadam    | eta             | 0     | federation.strategy.eta: must be > 0, got 0",
      "fedyogi    | beta2           | -0.1  | federation.strategy.beta2: must be in [0, 1), got -0.1",
      "fedadagrad | tau             | 0     | federation.strategy.tau: must be > 0, got 0",
      "fedprox    | mu              | -1    | federation.strategy.mu: must be >= 0, got -1",
      "krum       | f               | 1.5   | federation.strategy.f: must be a whole number >= 0, got 1.5",
      "dp-fedavg  | noiseMultiplier | -2    | federation.strategy.noiseMultiplier: must be >= 0, got -2"})
  void refusesOutOfRangeValues(String type, String name, double value, String message) {
    Map<String, Object> params = new java.util.HashMap<>(Map.of(name, value));
    if (type.equals("dp-fedavg")) {
      params.put("clipNorm", 1.0);
    }

    assertThatThrownBy(() -> Strategies.create(new StrategySpec(type, params)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(message);
  }

  @Test
  void refusesUnknownParametersListingTheKnownOnes() {
    assertThatThrownBy(() -> strategy("trimmed-mean", "trim", 0.1, "beta", 0.1))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("federation.strategy.beta: unknown parameter for trimmed-mean; known: clipNorm, trim");
  }

  @Test
  void pointsEtaLToTheSitesLearningRate() {
    assertThatThrownBy(() -> strategy("fedadam", "eta_l", 0.01))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("federation.strategy.eta_l: unknown parameter for fedadam; "
            + "the sites' learning rate is training.updater.learningRate");
  }

  @Test
  void requiresMuForFedProxAndFForKrum() {
    assertThatThrownBy(() -> strategy("fedprox"))
        .hasMessage("federation.strategy.mu: is required for fedprox (>= 0)");
    assertThatThrownBy(() -> strategy("multi-krum"))
        .hasMessage("federation.strategy.f: is required for multi-krum (a whole number >= 0)");
    assertThatThrownBy(() -> strategy("dp-fedavg", "noiseMultiplier", 1.0))
        .hasMessage("federation.strategy.clipNorm: is required for dp-fedavg (> 0)");
  }

  @Test
  void refusesAWholeNumberBeyondInt() {
    assertThatThrownBy(() -> strategy("multi-krum", "f", 1.0, "m", 1e10))
        .hasMessage("federation.strategy.m: must be at most 2147483647, got 10000000000");
  }

  @Test
  void multiKrumKeepsMWhenGiven() {
    // f = 0 on the fixture of RobustStrategiesTest: m = 3 keeps b(1), a(0), c(3) with 3, 1, 1 examples: 6 / 5
    java.util.List<SiteUpdate> updates = java.util.List.of(Updates.u("a", 1, 0), Updates.u("b", 3, 1),
        Updates.u("c", 1, 3), Updates.u("d", 1, 10));

    float[] merged = strategy("multi-krum", "f", 0.0, "m", 3.0).aggregate(new float[] {0}, updates, StrategyState.EMPTY)
        .global();

    assertThat(merged).containsExactly(1.2f);
  }

  @Test
  void refusesATextWhereANumberBelongs() {
    assertThatThrownBy(() -> strategy("trimmed-mean", "trim", "a lot"))
        .hasMessage("federation.strategy.trim: must be a number, got \"a lot\"");
  }

  @Test
  void refusesAnUnknownType() {
    assertThatThrownBy(() -> strategy("fedsgd"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("federation.strategy.type: unknown strategy type \"fedsgd\"; known: fedavg, fedavgm");
  }

  /** A tree request with {@code minSites} and the strategy {@code type} with {@code params}. */
  private static String treeRequest(int minSites, String type, Map<String, Object> params) throws Exception {
    Map<String, Object> strategy = new LinkedHashMap<>();
    strategy.put("type", type);
    strategy.putAll(params);
    return """
        {"schema": 1, "id": "fed-0001", "mode": "tree",
         "model": {"name": "fmnist-mlp", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/data/train"},
         "training": {"epochs": 1},
         "federation": {"sites": "sites.json", "rounds": 3, "minSites": %d, "strategy": %s}}"""
        .formatted(minSites, new ObjectMapper().writeValueAsString(strategy));
  }

  @Test
  void everyTypeTheRequestCodecAcceptsIsBuiltFromTheParsedRequest() throws Exception {
    // The codec's own list: what core's RequestCodec accepts, through the catalog it found on the classpath
    List<String> accepted = RequestCodec.strategyTypes();

    assertThat(accepted).as("the codec found no strategy catalog").isNotEmpty();
    for (String type : accepted) {
      TrainingRequest r = RequestCodec.parse(treeRequest(5, type, Strategies.definition(type).example()));

      AggregationStrategy s = Strategies.create(r.federation());

      assertThat(s.type()).isEqualTo(type);
    }
  }

  @Test
  void theRequestCodecAcceptsEveryRegisteredTypeAndNoOther() {
    assertThat(StrategyCatalog.installed()).isInstanceOf(RegisteredStrategies.class);
    assertThat(RequestCodec.strategyTypes()).containsExactlyElementsOf(Strategies.types());
  }

  @Test
  void theRequestCodecRefusesAnUnknownTypeWhenParsing() {
    assertThatThrownBy(() -> RequestCodec.parse(treeRequest(1, "fedsgd", Map.of())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("federation.strategy.type: must be one of fedavg, fedavgm, fedprox, fednova, scaffold, fedadam, fedyogi,"
            + " fedadagrad, median, trimmed-mean, krum, multi-krum, dp-fedavg, got \"fedsgd\"");
  }

  @Test
  void theRequestCodecRefusesABadParameterWhenParsing() {
    assertThatThrownBy(() -> RequestCodec.parse(treeRequest(1, "trimmed-mean", Map.of("trim", 0.6))))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.field()).isEqualTo("federation.strategy.trim");
          assertThat(e.value()).isEqualTo("0.6");
        })
        .hasMessage("federation.strategy.trim: must be in [0, 0.5), got 0.6");
    assertThatThrownBy(() -> RequestCodec.parse(treeRequest(1, "fedavg", Map.of("momentum", 0.9))))
        .hasMessage("federation.strategy.momentum: unknown parameter for fedavg; known: clipNorm");
  }

  @Test
  void theRequestCodecRefusesKrumWithTooFewMinSitesWhenParsing() {
    assertThatThrownBy(() -> RequestCodec.parse(treeRequest(3, "krum", Map.of("f", 2))))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("federation.minSites"))
        .hasMessage("federation.minSites: must be at least 7 for krum (2f + 3 updates), got 3");
  }

  @Test
  void everyShippedRequestParsesWithTheStrategyCatalog() throws Exception {
    List<Path> files;
    try (var list = Files.list(Path.of("..", "conf", "requests"))) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }

    assertThat(files).isNotEmpty();
    for (Path f : files) {
      TrainingRequest r = RequestCodec.parse(Files.readAllBytes(f));
      if (r.federation() != null) {
        assertThat(Strategies.create(r.federation()).type()).as(f.toString()).isEqualTo(r.federation().strategy().type());
      }
    }
  }

  @Test
  void krumNeedsMinSitesOfAtLeastTwoFPlusThree() {
    FederationSpec federation = new FederationSpec("sites.json", 10, 1, 1.0, 3, 60_000,
        new StrategySpec("krum", Map.of("f", 2.0)));

    assertThatThrownBy(() -> Strategies.create(federation))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("federation.minSites"))
        .hasMessage("federation.minSites: must be at least 7 for krum (2f + 3 updates), got 3");
  }

  @Test
  void aMissingTypeMeansFedAvg() {
    assertThat(Strategies.create(new StrategySpec(null, null)).type()).isEqualTo("fedavg");
  }
}
