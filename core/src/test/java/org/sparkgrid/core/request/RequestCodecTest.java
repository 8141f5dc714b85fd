package org.sparkgrid.core.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.DataSpec.Format;
import org.sparkgrid.core.request.DataSpec.Normalization;
import org.sparkgrid.core.request.ModelSpec.Architecture;
import org.sparkgrid.core.request.TrainingRequest.Mode;

/** Parsing and writing requests. Refusals assert the exact message a client would read. */
class RequestCodecTest {

  /** DESIGN.md's sketch without "federation" (which belongs to mode tree). */
  static final String SKETCH = """
      {
        "schema": 1,
        "id": "fmnist-cnn-0001",
        "mode": "compute",
        "model": {"name": "fmnist-cnn", "architecture": "cnn", "initFrom": "fmnist-cnn@best"},
        "data": {"format": "idx", "train": "file:/usr/share/datasets/fashion-mnist/train",
                 "test": "file:/usr/share/datasets/fashion-mnist/t10k"},
        "training": {"epochs": 5, "batchSize": 64, "seed": 42,
                     "updater": {"type": "adam", "learningRate": 0.001}},
        "engine": {"workers": 2, "averagingFrequency": 10},
        "sweep": {"parameters": {"training.updater.learningRate": [0.0005, 0.001, 0.005]},
                  "maxConcurrent": 2, "select": "accuracy"},
        "reward": {"poolPerRound": "100", "scoring": "loss-improvement"}
      }""";

  static final String TREE = """
      {
        "schema": 1,
        "id": "fmnist-fed-0001",
        "mode": "tree",
        "model": {"name": "fmnist-mlp", "architecture": "mlp",
                  "mlp": {"hidden": [128], "activation": "tanh", "dropout": 0.25}},
        "data": {"format": "idx", "train": "file:/data/train"},
        "training": {"epochs": 1},
        "federation": {"sites": "conf/federation/fmnist-10-sites.json", "rounds": 30,
                       "localEpochs": 1, "fraction": 1.0, "minSites": 3, "roundTimeoutMs": 120000,
                       "strategy": {"type": "trimmed-mean", "trim": 0.2}},
        "reward": {"poolPerRound": "100", "scoring": "loss-improvement"}
      }""";

  static final String MINIMAL = """
      {"schema": 1, "id": "r1", "model": {"name": "m", "architecture": "mlp"},
       "data": {"format": "idx", "train": "file:/d/train"}, "training": {"epochs": 2}}""";

  static final String DL4J_CONF = "{\"backpropType\":\"Standard\",\"confs\":[{\"layer\":{\"nout\":10}}]}";

  private static final ObjectMapper JSON = new ObjectMapper();

  // ---------------------------------------------------------------- valid requests

  @Test
  void parsesTheDesignSketch() {
    // Execute
    TrainingRequest r = RequestCodec.parse(SKETCH);

    // Assert
    assertThat(r).isEqualTo(new TrainingRequest(1, "fmnist-cnn-0001", Mode.COMPUTE,
        new ModelSpec("fmnist-cnn", Architecture.CNN, null, CnnSpec.defaults(), null, "fmnist-cnn@best"),
        new DataSpec(Format.IDX, "file:/usr/share/datasets/fashion-mnist/train",
            "file:/usr/share/datasets/fashion-mnist/t10k", 0, false, null, Normalization.SCALE, null),
        new TrainingSpec(5, 64, 42, new UpdaterSpec("adam", 0.001, 0.9), 0.0),
        new EngineSpec("sparkgrid", 2, 10, true),
        new SweepSpec(Map.of("training.updater.learningRate", List.of(0.0005, 0.001, 0.005)),
            "grid", null, 2, "accuracy"),
        null,
        new RewardSpec("100", "loss-improvement")));
  }

  @Test
  void parsesATreeModeRequestWithItsFederation() {
    // Execute
    TrainingRequest r = RequestCodec.parse(TREE);

    // Assert
    assertThat(r.mode()).isEqualTo(Mode.TREE);
    assertThat(r.model().mlp()).isEqualTo(new MlpSpec(List.of(128), "tanh", 0.25));
    assertThat(r.federation()).isEqualTo(new FederationSpec("conf/federation/fmnist-10-sites.json",
        30, 1, 1.0, 3, 120_000L, new StrategySpec("trimmed-mean", Map.of("trim", 0.2))));
  }

  @Test
  void fillsEveryDefaultInAMinimalRequest() {
    // Execute
    TrainingRequest r = RequestCodec.parse(MINIMAL);

    // Assert
    assertThat(r).isEqualTo(new TrainingRequest(1, "r1", Mode.COMPUTE,
        new ModelSpec("m", Architecture.MLP, new MlpSpec(List.of(256, 128), "relu", 0.0), null, null, null),
        new DataSpec(Format.IDX, "file:/d/train", null, 0, false, null, Normalization.SCALE, null),
        new TrainingSpec(2, 64, 42, new UpdaterSpec("adam", 0.001, 0.9), 0.0),
        new EngineSpec("sparkgrid", 2, 10, true),
        null, null, null));
  }

  @Test
  void fillsFederationDefaults() {
    // Prepare
    String json = with(MINIMAL, Map.of("mode", "\"tree\"", "federation", "{\"sites\": \"s.json\", \"rounds\": 3}"));

    // Execute
    FederationSpec f = RequestCodec.parse(json).federation();

    // Assert
    assertThat(f).isEqualTo(new FederationSpec("s.json", 3, 1, 1.0, 1, 600_000L, new StrategySpec("fedavg", Map.of())));
  }

  @Test
  void readsBelowMinSitesWaitWithItsRetries() {
    // Prepare
    String json = with(TREE, Map.of("federation.belowMinSites", "\"wait\"", "federation.minSitesRetries", "2",
        "federation.minSitesRetryDelayMs", "0"));

    // Execute
    FederationSpec f = RequestCodec.parse(json).federation();

    // Assert
    assertThat(f.belowMinSites()).isEqualTo("wait");
    assertThat(f.waitsForMinSites()).isTrue();
    assertThat(f.minSitesRetries()).isEqualTo(2);
    assertThat(f.minSitesRetryDelayMs()).isZero();
    assertThat(RequestCodec.parse(RequestCodec.write(RequestCodec.parse(json))).federation()).isEqualTo(f);
  }

  @Test
  void belowMinSitesWaitHasDefaultRetries() {
    FederationSpec f = RequestCodec.parse(with(TREE, "federation.belowMinSites", "\"wait\"")).federation();

    assertThat(f.minSitesRetries()).isEqualTo(3);
    assertThat(f.minSitesRetryDelayMs()).isEqualTo(10_000L);
  }

  @Test
  void readsARegisteredFederationNarrowedToSomeSitesAndWritesItBack() {
    String json = with(without(TREE, "federation.sites"), Map.of("federation.name", "\"fmnist-10\"",
        "federation.siteIds", "[\"site-03\", \"site-01\"]"));

    FederationSpec f = RequestCodec.parse(json).federation();

    assertThat(f).isEqualTo(FederationSpec.registered("fmnist-10", List.of("site-03", "site-01"), 30, 1, 1.0, 3,
        120_000L, new StrategySpec("trimmed-mean", Map.of("trim", 0.2))));
    assertThat(f.isRegistered()).isTrue();
    assertThat(RequestCodec.parse(RequestCodec.write(RequestCodec.parse(json))).federation()).isEqualTo(f);
  }

  @Test
  void refusesAFederationWithNeitherNameNorSitesOrWithBoth() {
    assertThat(refusal(without(TREE, "federation.sites")))
        .hasMessage("federation.name: is required: the name of a federation the operator registered"
            + " (bin/sparkgrid federation list)");
    assertThat(refusal(with(TREE, "federation.name", "\"fmnist-10\"")))
        .hasMessage("federation.sites: give either name (a registered federation) or sites (a federation file), not both");
  }

  @Test
  void refusesSiteIdsWithoutANameOrTwiceTheSameSite() {
    assertThat(refusal(with(TREE, "federation.siteIds", "[\"a\"]")))
        .hasMessage("federation.siteIds: only allowed with name (it narrows a registered federation to some of its"
            + " sites)");
    assertThat(refusal(with(without(TREE, "federation.sites"), Map.of("federation.name", "\"f\"",
        "federation.siteIds", "[\"a\", \"a\"]"))))
        .hasMessage("federation.siteIds[1]: site \"a\" appears twice");
  }

  @Test
  void refusesAFederationNameThatCouldBeAPath() {
    assertThat(refusal(with(without(TREE, "federation.sites"), "federation.name", "\"../x\"")))
        .hasMessageStartingWith("federation.name: must be the name of a registered federation");
  }

  @Test
  void readsALearningRateDecayAndWritesItBack() {
    String json = with(TREE, "federation.learningRateDecay", "0.95");

    FederationSpec f = RequestCodec.parse(json).federation();

    assertThat(f.learningRateDecay()).isEqualTo(0.95);
    assertThat(f.siteLearningRate(0.001, 0)).isEqualTo(0.001);
    assertThat(f.siteLearningRate(0.001, 2)).isCloseTo(0.001 * 0.95 * 0.95, within(1e-15));
    assertThat(RequestCodec.parse(RequestCodec.write(RequestCodec.parse(json))).federation()).isEqualTo(f);
    assertThat(RequestCodec.parse(TREE).federation().learningRateDecay()).isEqualTo(1.0);
  }

  @Test
  void refusesALearningRateDecayOutsideZeroToOne() {
    assertThat(refusal(with(TREE, "federation.learningRateDecay", "0")))
        .hasMessageStartingWith("federation.learningRateDecay: must be");
    assertThat(refusal(with(TREE, "federation.learningRateDecay", "1.5")))
        .hasMessageStartingWith("federation.learningRateDecay: must be");
  }

  @Test
  void refusesAnUnknownBelowMinSites() {
    assertThat(refusal(with(TREE, "federation.belowMinSites", "\"pray\"")))
        .hasMessage("federation.belowMinSites: must be one of fail, wait, got \"pray\"");
  }

  @Test
  void refusesMinSitesRetriesOutOfRange() {
    assertThat(refusal(with(TREE, Map.of("federation.belowMinSites", "\"wait\"", "federation.minSitesRetries", "0"))))
        .hasMessage("federation.minSitesRetries: must be between 1 and 1000, got 0");
  }

  @Test
  void refusesRetriesWhenARoundShortOfSitesFails() {
    assertThat(refusal(with(TREE, "federation.minSitesRetries", "2")))
        .hasMessage("federation.minSitesRetries: only allowed when federation.belowMinSites is wait, got belowMinSites fail");
  }

  @Test
  void readsStrategyParametersNumbersAsDoubles() {
    // Prepare
    String json = with(TREE, "federation.strategy", "{\"type\": \"multi-krum\", \"f\": 2, \"m\": 5, \"fast\": true, \"tag\": \"x\"}");

    // Execute
    StrategySpec s = RequestCodec.parse(json).federation().strategy();

    // Assert
    assertThat(s.type()).isEqualTo("multi-krum");
    assertThat(s.params()).containsExactly(
        Map.entry("f", 2.0), Map.entry("m", 5.0), Map.entry("fast", true), Map.entry("tag", "x"));
  }

  @Test
  void csvReadsLabelColumnAndHeaderAndStandardizesByDefault() {
    // Prepare
    String json = with(MINIMAL, "data", "{\"format\": \"csv\", \"train\": \"file:/d.csv\", \"labelColumn\": 4, \"header\": true, \"classes\": 3, \"limit\": 100}");

    // Execute
    DataSpec d = RequestCodec.parse(json).data();

    // Assert
    assertThat(d).isEqualTo(new DataSpec(Format.CSV, "file:/d.csv", null, 4, true, 3, Normalization.STANDARDIZE, 100));
  }

  @Test
  void fillsMissingFieldsOfAGivenArchitectureObjectFromItsDefaults() {
    // Prepare
    String json = with(MINIMAL, Map.of("model.architecture", "\"cnn\"",
        "model.cnn", "{\"conv\": [{\"filters\": 8, \"kernel\": 3}], \"dropout\": 0.5}"));

    // Execute
    CnnSpec cnn = RequestCodec.parse(json).model().cnn();

    // Assert
    assertThat(cnn).isEqualTo(new CnnSpec(List.of(new CnnSpec.ConvBlock(8, 3, 1, 2)), List.of(256), "relu", 0.5));
  }

  @Test
  void keepsADl4jConfigurationAsCompactJsonText() {
    // Prepare
    String json = with(MINIMAL, Map.of("model.architecture", "\"dl4j\"",
        "model.dl4j", "{ \"backpropType\" : \"Standard\", \"confs\" : [ {\"layer\": {\"nout\": 10}} ] }"));

    // Execute
    ModelSpec m = RequestCodec.parse(json).model();

    // Assert
    assertThat(m.dl4jConfiguration()).isEqualTo(DL4J_CONF);
    assertThat(m.mlp()).isNull();
    assertThat(m.cnn()).isNull();
  }

  @Test
  void readsUtf8Bytes() {
    // Prepare
    byte[] bytes = MINIMAL.replace("\"m\"", "\"m\", \"initFrom\": \"m@3\"").getBytes(StandardCharsets.UTF_8);

    // Execute
    TrainingRequest r = RequestCodec.parse(bytes);

    // Assert
    assertThat(r.model().initFrom()).isEqualTo("m@3");
  }

  @Test
  void treatsJsonNullAsAbsent() {
    // Prepare
    String json = with(MINIMAL, Map.of("data.test", "null", "engine", "null"));

    // Execute
    TrainingRequest r = RequestCodec.parse(json);

    // Assert
    assertThat(r.data().test()).isNull();
    assertThat(r.engine()).isEqualTo(RequestCodec.DEFAULT_ENGINE);
  }

  // ---------------------------------------------------------------- write

  @Test
  void writesEveryDefaultInCanonicalOrder() {
    // Execute
    String written = new String(RequestCodec.write(RequestCodec.parse(MINIMAL)), StandardCharsets.UTF_8);

    // Assert
    assertThat(written).isEqualTo("{\"schema\":1,\"id\":\"r1\",\"mode\":\"compute\","
        + "\"model\":{\"name\":\"m\",\"architecture\":\"mlp\",\"mlp\":{\"hidden\":[256,128],\"activation\":\"relu\",\"dropout\":0.0}},"
        + "\"data\":{\"format\":\"idx\",\"train\":\"file:/d/train\",\"normalization\":\"scale\"},"
        + "\"training\":{\"epochs\":2,\"batchSize\":64,\"seed\":42,\"l2\":0.0,"
        + "\"updater\":{\"type\":\"adam\",\"learningRate\":0.001,\"momentum\":0.9}},"
        + "\"engine\":{\"type\":\"sparkgrid\",\"workers\":2,\"averagingFrequency\":10,\"shuffle\":true}}");
  }

  @Test
  void roundTripsEveryKindOfRequest() {
    // Prepare
    List<String> requests = List.of(SKETCH, TREE, MINIMAL,
        with(MINIMAL, Map.of("model.architecture", "\"dl4j\"", "model.dl4j", DL4J_CONF)),
        with(MINIMAL, "data", "{\"format\": \"csv\", \"train\": \"t.csv\", \"labelColumn\": 2, \"header\": true}"),
        with(SKETCH, "sweep", "{\"parameters\": {\"training.seed\": [1, 2], \"training.updater.type\": [\"sgd\"],"
            + " \"model.cnn.dropout\": [0, 0.5]}, \"method\": \"random\", \"trials\": 3, \"select\": \"loss\"}"));

    for (String json : requests) {
      TrainingRequest parsed = RequestCodec.parse(json);

      // Execute
      TrainingRequest again = RequestCodec.parse(RequestCodec.write(parsed));

      // Assert
      assertThat(again).isEqualTo(parsed);
    }
  }

  @Test
  void sweepValuesTakeTheirFieldsJavaTypes() {
    // Prepare
    String json = with(SKETCH, "sweep.parameters",
        "{\"training.seed\": [1], \"training.batchSize\": [32], \"training.l2\": [0], \"model.cnn.activation\": [\"elu\"]}");

    // Execute
    Map<String, List<Object>> p = RequestCodec.parse(json).sweep().parameters();

    // Assert
    assertThat(p).containsExactly(
        Map.entry("training.seed", List.of(1L)),
        Map.entry("training.batchSize", List.of(32)),
        Map.entry("training.l2", List.of(0.0)),
        Map.entry("model.cnn.activation", List.of("elu")));
  }

  // ---------------------------------------------------------------- refusals: the document

  @Test
  void refusesTextThatIsNotJson() {
    InvalidRequestException e = refusal("{\"schema\": 1,");

    assertThat(e.field()).isEqualTo("$");
    assertThat(e.value()).isNull();
    assertThat(e).hasMessageStartingWith("$: not valid JSON (line 1, column 14): Unexpected end-of-input");
  }

  @Test
  void refusesTrailingContent() {
    InvalidRequestException e = refusal(MINIMAL + " {}");

    assertThat(e).hasMessageStartingWith("$: not valid JSON (line 2, column");
    assertThat(e).hasMessageContaining("Trailing token");
  }

  @Test
  void refusesADuplicateField() {
    InvalidRequestException e = refusal(MINIMAL.replace("\"id\": \"r1\"", "\"id\": \"r1\", \"id\": \"r2\""));

    assertThat(e).hasMessageStartingWith("$: not valid JSON (line 1, column");
    assertThat(e).hasMessageContaining("Duplicate field 'id'");
  }

  @Test
  void refusesJsonThatIsNotAnObject() {
    InvalidRequestException e = refusal("[1, 2]");

    assertThat(e).hasMessage("$: must be a JSON object, got [1,2]");
    assertThat(e.value()).isEqualTo("[1,2]");
  }

  @Test
  void refusesEmptyInput() {
    assertThat(refusal("")).hasMessage("$: must be a JSON object, got nothing");
  }

  @Test
  void refusesBytesThatAreNotUtf8() {
    // Prepare: 0xFF never occurs in UTF-8
    byte[] bytes = {'{', '"', (byte) 0xFF, '"', '}'};

    // Execute
    InvalidRequestException e = catchThrowableOfType(() -> RequestCodec.parse(bytes), InvalidRequestException.class);

    // Assert
    assertThat(e).hasMessage("$: not valid UTF-8: malformed bytes at offset 2");
  }

  @Test
  void refusesAnotherSchemaVersionBeforeLookingAtItsFields() {
    InvalidRequestException e = refusal(with(MINIMAL, Map.of("schema", "2", "priority", "5")));

    assertThat(e).hasMessage("schema: unsupported schema version 2; this SparkGrid reads schema 1");
    assertThat(e.field()).isEqualTo("schema");
    assertThat(e.value()).isEqualTo("2");
  }

  @Test
  void refusesAMissingSchema() {
    assertThat(refusal(without(MINIMAL, "schema"))).hasMessage("schema: is required");
  }

  // ---------------------------------------------------------------- refusals: single fields

  @Test
  void refusesAnUnknownTopLevelFieldListingTheKnownOnes() {
    InvalidRequestException e = refusal(with(MINIMAL, "priority", "5"));

    assertThat(e).hasMessage("priority: unknown field; known fields: "
        + "schema, id, mode, model, data, training, engine, sweep, federation, reward");
    assertThat(e.field()).isEqualTo("priority");
    assertThat(e.value()).isEqualTo("5");
  }

  @Test
  void refusesAnUnknownNestedFieldByItsDottedPath() {
    InvalidRequestException e = refusal(with(MINIMAL, "training.updater.beta1", "0.9"));

    assertThat(e).hasMessage("training.updater.beta1: unknown field; known fields: type, learningRate, momentum");
  }

  @Test
  void refusesAStringWhereAnIntegerBelongs() {
    InvalidRequestException e = refusal(with(MINIMAL, "training.epochs", "\"five\""));

    assertThat(e).hasMessage("training.epochs: must be an integer, got \"five\"");
    assertThat(e.field()).isEqualTo("training.epochs");
    assertThat(e.value()).isEqualTo("five");
  }

  @Test
  void refusesAFractionWhereAnIntegerBelongs() {
    assertThat(refusal(with(MINIMAL, "training.batchSize", "64.5")))
        .hasMessage("training.batchSize: must be an integer, got 64.5");
  }

  @Test
  void refusesANumberWhereAnObjectBelongs() {
    assertThat(refusal(with(MINIMAL, "training", "5"))).hasMessage("training: must be an object, got 5");
  }

  @Test
  void refusesAStringWhereABooleanBelongs() {
    assertThat(refusal(with(MINIMAL, "engine", "{\"shuffle\": \"yes\"}")))
        .hasMessage("engine.shuffle: must be true or false, got \"yes\"");
  }

  @Test
  void refusesAnIntegerOutOfRange() {
    InvalidRequestException e = refusal(with(MINIMAL, "training.batchSize", "0"));

    assertThat(e).hasMessage("training.batchSize: must be between 1 and 65536, got 0");
    assertThat(e.value()).isEqualTo("0");
  }

  @Test
  void refusesAnIntegerBeyondAnyInt() {
    assertThat(refusal(with(MINIMAL, "training.epochs", "99999999999")))
        .hasMessage("training.epochs: must be between 1 and 10000, got 99999999999");
  }

  @Test
  void refusesARealOutsideAnOpenLowerBound() {
    assertThat(refusal(with(MINIMAL, "training.updater", "{\"learningRate\": 0}")))
        .hasMessage("training.updater.learningRate: must be greater than 0 and at most 10, got 0");
  }

  @Test
  void refusesARealOutsideAnOpenUpperBound() {
    assertThat(refusal(with(MINIMAL, "training.updater", "{\"type\": \"nesterovs\", \"momentum\": 1}")))
        .hasMessage("training.updater.momentum: must be at least 0 and less than 1, got 1");
  }

  @Test
  void refusesAOneSidedBound() {
    assertThat(refusal(with(TREE, "federation.roundTimeoutMs", "999")))
        .hasMessage("federation.roundTimeoutMs: must be at least 1000, got 999");
  }

  @Test
  void refusesAMissingRequiredField() {
    InvalidRequestException e = refusal(without(MINIMAL, "data.train"));

    assertThat(e).hasMessage("data.train: is required");
    assertThat(e.field()).isEqualTo("data.train");
    assertThat(e.value()).isNull();
  }

  @Test
  void refusesNullForARequiredField() {
    assertThat(refusal(with(MINIMAL, "training.epochs", "null"))).hasMessage("training.epochs: is required");
  }

  @Test
  void refusesAnUnknownEnumValueListingTheAllowedOnes() {
    assertThat(refusal(with(MINIMAL, "training.updater", "{\"type\": \"adamw\"}")))
        .hasMessage("training.updater.type: must be one of sgd, nesterovs, adam, rmsprop, adagrad, got \"adamw\"");
  }

  @Test
  void refusesAnUnknownArchitecture() {
    assertThat(refusal(with(MINIMAL, "model.architecture", "\"rnn\"")))
        .hasMessage("model.architecture: must be one of mlp, cnn, dl4j, got \"rnn\"");
  }

  @Test
  void refusesANonStringForAnEnum() {
    assertThat(refusal(with(MINIMAL, "mode", "1"))).hasMessage("mode: must be one of compute, tree, got 1");
  }

  @Test
  void refusesAnIdWithForbiddenCharacters() {
    assertThat(refusal(with(MINIMAL, "id", "\"a b\"")))
        .hasMessage("id: must be 1 to 128 characters among A-Z a-z 0-9 . _ : -, got \"a b\"");
  }

  @Test
  void refusesAnIdLongerThan128Characters() {
    String id = "x".repeat(129);

    assertThat(refusal(with(MINIMAL, "id", "\"" + id + "\"")).value()).isEqualTo(id);
  }

  @Test
  void refusesAnInvalidModelName() {
    assertThat(refusal(with(MINIMAL, "model.name", "\"-m\"")))
        .hasMessage("model.name: must be a letter or digit, then letters, digits, '.', '_' or '-',"
            + " at most 128 characters, got \"-m\"");
  }

  @Test
  void refusesAnInvalidInitFrom() {
    assertThat(refusal(with(MINIMAL, "model.initFrom", "\"m@first\"")))
        .hasMessage("model.initFrom: must be NAME, NAME@best, NAME@latest or NAME@N (N a version >= 1), got \"m@first\"");
  }

  @Test
  void refusesAnEmptyDataPath() {
    assertThat(refusal(with(MINIMAL, "data.train", "\" \""))).hasMessage("data.train: must be a non-empty path, got \" \"");
  }

  @Test
  void refusesAConvolutionListThatIsEmpty() {
    assertThat(refusal(with(MINIMAL, Map.of("model.architecture", "\"cnn\"", "model.cnn", "{\"conv\": []}"))))
        .hasMessage("model.cnn.conv: must have between 1 and 64 elements, got 0");
  }

  @Test
  void refusesAHiddenLayerSizeNamingItsIndex() {
    assertThat(refusal(with(MINIMAL, "model.mlp", "{\"hidden\": [64, 0]}")))
        .hasMessage("model.mlp.hidden[1]: must be between 1 and 65536, got 0");
  }

  @Test
  void refusesAConvolutionBlockFieldNamingItsIndex() {
    assertThat(refusal(with(MINIMAL, Map.of("model.architecture", "\"cnn\"",
        "model.cnn", "{\"conv\": [{\"filters\": 8, \"kernel\": 3}, {\"filters\": 8}]}"))))
        .hasMessage("model.cnn.conv[1].kernel: is required");
  }

  @Test
  void refusesADl4jConfigurationWithoutConfs() {
    assertThat(refusal(with(MINIMAL, Map.of("model.architecture", "\"dl4j\"", "model.dl4j", "{\"backpropType\": \"Standard\"}"))))
        .hasMessage("model.dl4j.confs: must be an array (the layer configurations of a DL4J MultiLayerConfiguration),"
            + " is missing");
  }

  @Test
  void refusesTooFewClasses() {
    assertThat(refusal(with(MINIMAL, "data.classes", "1"))).hasMessage("data.classes: must be between 2 and 100000, got 1");
  }

  @Test
  void refusesAStrategyParameterThatIsAnArray() {
    assertThat(refusal(with(TREE, "federation.strategy.trim", "[0.1]")))
        .hasMessage("federation.strategy.trim: must be a number, a boolean or a string, got [0.1]");
  }

  @Test
  void refusesARewardPoolThatIsNotDigits() {
    assertThat(refusal(with(TREE, "reward.poolPerRound", "\"-5\"")))
        .hasMessage("reward.poolPerRound: must be a non-negative integer of at most 78 decimal digits that fits"
            + " in 256 bits, as a string, got \"-5\"");
  }

  @Test
  void refusesARewardPoolBeyond256Bits() {
    // 2^256 = 115792089237316195423570985008687907853269984665640564039457584007913129639936 (78 digits)
    String twoTo256 = "115792089237316195423570985008687907853269984665640564039457584007913129639936";

    assertThat(refusal(with(TREE, "reward.poolPerRound", "\"" + twoTo256 + "\"")).field()).isEqualTo("reward.poolPerRound");
  }

  @Test
  void acceptsTheLargestRewardPool() {
    String max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";

    assertThat(RequestCodec.parse(with(TREE, "reward.poolPerRound", "\"" + max + "\"")).reward().poolPerRound())
        .isEqualTo(max);
  }

  @Test
  void refusesANumberForTheRewardPool() {
    assertThat(refusal(with(TREE, "reward.poolPerRound", "100"))).hasMessage("reward.poolPerRound: must be a string, got 100");
  }

  // ---------------------------------------------------------------- refusals: sweep

  @Test
  void refusesAFieldThatCannotBeSwept() {
    assertThat(refusal(with(SKETCH, "sweep.parameters", "{\"data.train\": [\"a\", \"b\"]}")).getMessage())
        .isEqualTo("sweep.parameters.data.train: not a sweepable field; sweepable: training.updater.learningRate,"
            + " training.updater.type, training.updater.momentum, training.batchSize, training.epochs, training.l2,"
            + " training.seed, engine.averagingFrequency, engine.workers, model.mlp.dropout, model.cnn.dropout,"
            + " model.mlp.activation, model.cnn.activation");
  }

  @Test
  void refusesASweepWithoutParameters() {
    assertThat(refusal(with(SKETCH, "sweep.parameters", "{}")))
        .hasMessageStartingWith("sweep.parameters: must name at least one field to sweep; sweepable: ");
  }

  @Test
  void refusesASweptFieldWithoutValues() {
    assertThat(refusal(with(SKETCH, "sweep.parameters", "{\"training.batchSize\": []}")))
        .hasMessage("sweep.parameters.training.batchSize: must have at least 1 element, got 0");
  }

  @Test
  void refusesASweepValueOfTheWrongType() {
    assertThat(refusal(with(SKETCH, "sweep.parameters", "{\"training.batchSize\": [64, \"128\"]}")))
        .hasMessage("sweep.parameters.training.batchSize[1]: must be an integer, got \"128\"");
  }

  @Test
  void refusesASweepValueOutOfItsFieldsRange() {
    InvalidRequestException e = refusal(with(SKETCH, "sweep.parameters", "{\"training.batchSize\": [64, 0]}"));

    assertThat(e).hasMessage("sweep.parameters.training.batchSize[1]: must be between 1 and 65536, got 0");
    assertThat(e.field()).isEqualTo("sweep.parameters.training.batchSize[1]");
  }

  @Test
  void refusesASweepValueNotAmongItsFieldsChoices() {
    assertThat(refusal(with(SKETCH, "sweep.parameters", "{\"training.updater.type\": [\"adam\", \"lbfgs\"]}")))
        .hasMessage("sweep.parameters.training.updater.type[1]: must be one of sgd, nesterovs, adam, rmsprop, adagrad,"
            + " got \"lbfgs\"");
  }

  @Test
  void refusesARandomSweepWithoutTrials() {
    assertThat(refusal(with(SKETCH, "sweep.method", "\"random\"")))
        .hasMessage("sweep.trials: is required when sweep.method is random");
  }

  @Test
  void refusesTrialsInAGridSweep() {
    assertThat(refusal(with(SKETCH, "sweep.trials", "4")))
        .hasMessage("sweep.trials: only allowed when sweep.method is random, got method grid");
  }

  @Test
  void refusesSweepingAFieldOfAnotherArchitecture() {
    assertThat(refusal(with(SKETCH, "sweep.parameters", "{\"model.mlp.dropout\": [0.1]}")))
        .hasMessage("sweep.parameters.model.mlp.dropout: only allowed when model.architecture is mlp, got architecture cnn");
  }

  @Test
  void refusesASweptValueTwice() {
    InvalidRequestException e = refusal(with(SKETCH, "sweep.parameters", "{\"training.batchSize\": [32, 64, 32]}"));

    assertThat(e).hasMessage("sweep.parameters.training.batchSize[2]: repeats sweep.parameters.training.batchSize[0]:"
        + " each value is tried once");
    assertThat(e.value()).isEqualTo("32");
  }

  @Test
  void refusesASweepInTreeMode() {
    assertThat(refusal(with(TREE, "sweep", "{\"parameters\": {\"training.batchSize\": [32, 64]}}")))
        .hasMessage("sweep: only allowed when mode is compute, got mode tree");
  }

  @Test
  void refusesASweepWithoutATestSet() {
    assertThat(refusal(with(MINIMAL, "sweep", "{\"parameters\": {\"training.batchSize\": [32, 64]}, \"select\": \"loss\"}")))
        .hasMessage("data.test: is required when the request has a sweep: trials are compared by their loss on the"
            + " test set");
  }

  @Test
  void refusesAGridOfMoreThanTenThousandCombinations() {
    String hundred = java.util.stream.IntStream.rangeClosed(1, 100).mapToObj(String::valueOf)
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    String params = "{\"training.batchSize\": " + hundred + ", \"training.epochs\": " + hundred
        + ", \"training.updater.type\": [\"sgd\", \"adam\"]}";

    assertThat(refusal(with(SKETCH, "sweep.parameters", params)))
        .hasMessage("sweep.parameters: a grid sweep tries every combination, at most 10000, got 20000; use fewer"
            + " values or method random");
    assertThat(RequestCodec.parse(with(SKETCH, Map.of("sweep.parameters", params, "sweep.method", "\"random\"",
        "sweep.trials", "50"))).sweep().trialCount()).isEqualTo(50);
  }

  @Test
  void refusesMoreRandomTrialsThanCombinations() {
    assertThat(refusal(with(SKETCH, Map.of("sweep.method", "\"random\"", "sweep.trials", "4"))))
        .hasMessage("sweep.trials: must be at most 3, the number of distinct combinations of sweep.parameters, got 4");
  }

  @Test
  void refusesASweepIdWithNoRoomForTrialNumbers() {
    String id = "a".repeat(118);

    assertThat(refusal(with(SKETCH, "id", "\"" + id + "\"")))
        .hasMessage("id: must have at most 117 characters when the request has a sweep (its trials' ids add -trial-<n>),"
            + " got 118");
    assertThat(RequestCodec.parse(with(MINIMAL, "id", "\"" + id + "\"")).id()).isEqualTo(id);
  }

  // ---------------------------------------------------------------- refusals: rules between fields

  @Test
  void refusesTheSubObjectOfAnotherArchitecture() {
    InvalidRequestException e = refusal(with(MINIMAL, "model.cnn", "{\"dense\": [64]}"));

    assertThat(e).hasMessage("model.cnn: only allowed when model.architecture is cnn, got architecture mlp");
    assertThat(e.field()).isEqualTo("model.cnn");
  }

  @Test
  void refusesDl4jArchitectureWithoutItsConfiguration() {
    assertThat(refusal(with(MINIMAL, "model.architecture", "\"dl4j\"")))
        .hasMessage("model.dl4j: is required when model.architecture is dl4j");
  }

  @Test
  void refusesAStrideLargerThanTheKernel() {
    assertThat(refusal(with(MINIMAL, Map.of("model.architecture", "\"cnn\"",
        "model.cnn", "{\"conv\": [{\"filters\": 8, \"kernel\": 3, \"stride\": 4}]}"))))
        .hasMessage("model.cnn.conv[0].stride: must be at most the kernel (3), got 4");
  }

  @Test
  void refusesLabelColumnForIdx() {
    assertThat(refusal(with(MINIMAL, "data.labelColumn", "0")))
        .hasMessage("data.labelColumn: only allowed when data.format is csv, got format idx");
  }

  @Test
  void refusesHeaderForIdx() {
    assertThat(refusal(with(MINIMAL, "data.header", "true")))
        .hasMessage("data.header: only allowed when data.format is csv, got format idx");
  }

  @Test
  void refusesTreeModeWithoutFederation() {
    assertThat(refusal(with(MINIMAL, "mode", "\"tree\""))).hasMessage("federation: is required when mode is tree");
  }

  @Test
  void refusesFederationInComputeMode() {
    // The DESIGN.md sketch as written: compute mode with a federation
    assertThat(refusal(with(TREE, "mode", "\"compute\"")))
        .hasMessage("federation: only allowed when mode is tree, got mode compute");
  }

  // ---------------------------------------------------------------- helpers

  static InvalidRequestException refusal(String json) {
    return catchThrowableOfType(() -> RequestCodec.parse(json), InvalidRequestException.class);
  }

  /** {@code json} with the field at a dotted path set to raw JSON, creating objects on the way. */
  static String with(String json, String path, String rawValue) {
    return with(json, Map.of(path, rawValue));
  }

  static String with(String json, Map<String, String> rawValues) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(json);
      for (Map.Entry<String, String> e : rawValues.entrySet()) {
        String[] parts = e.getKey().split("\\.");
        ObjectNode parent = root;
        for (int i = 0; i < parts.length - 1; i++) {
          JsonNode child = parent.get(parts[i]);
          parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
        }
        parent.set(parts[parts.length - 1], JSON.readTree(e.getValue()));
      }
      return JSON.writeValueAsString(root);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** {@code json} without the field at a dotted path. */
  static String without(String json, String path) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(json);
      String[] parts = path.split("\\.");
      ObjectNode parent = root;
      for (int i = 0; i < parts.length - 1; i++) {
        parent = (ObjectNode) parent.get(parts[i]);
      }
      parent.remove(parts[parts.length - 1]);
      return JSON.writeValueAsString(root);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }
}
