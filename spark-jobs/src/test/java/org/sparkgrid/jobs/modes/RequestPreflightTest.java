package org.sparkgrid.jobs.modes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.request.InvalidRequestException;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.jobs.data.ExampleShard;
import org.sparkgrid.core.request.UnauthorizedRequestException;
import org.sparkgrid.federation.sites.FederationRegistry;
import org.sparkgrid.federation.sites.RegisteredFederation;
import org.sparkgrid.jobs.data.IdxWriter;
import org.sparkgrid.jobs.tree.Federations;

/** The checks at the door on real files through Hadoop's local file system: each refusal names the field and the value. */
class RequestPreflightTest {
  private static final String A1 = "0x" + "1".repeat(40);
  private static final String A2 = "0x" + "2".repeat(40);
  private static final String A3 = "0x" + "3".repeat(40);
  @TempDir static Path dir;
  private static final Configuration HADOOP = new Configuration();
  private static String good;
  private static FederationRegistry registry;

  @BeforeAll
  static void writeData() throws Exception {
    good = "file:" + dir.resolve("tiny");
    IdxWriter.write(HADOOP, good, ExampleShard.of(new int[] {1, 2, 2}, new float[12], new int[] {0, 1, 2}),
        new int[] {0, 1, 2});
    registry = FederationRegistry.at(dir.resolve("federations"));
    registry.add(new RegisteredFederation("reg", new FederationFile(List.of(site("s1", good, A1),
        site("s2", good, A2), site("s3", good, A3)), Set.of()), BigInteger.valueOf(100), BigInteger.valueOf(300)));
  }

  /** A request in registered federation {@code name}: the sites it chooses, its rounds and pool. */
  private static TrainingRequest registered(String name, String siteIds, int rounds, int minSites, String pool) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "pre-reg", "mode": "tree", "model": {"name": "pre", "architecture": "mlp"},
         "data": {"format": "idx", "train": "%s"}, "training": {"epochs": 1},
         "federation": {"name": "%s", %s"rounds": %d, "minSites": %d},
         "reward": {"poolPerRound": "%s"}}
        """.formatted(good, name, siteIds == null ? "" : "\"siteIds\": " + siteIds + ", ", rounds, minSites, pool));
  }

  private static TrainingRequest compute(String format, String train) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "pre", "model": {"name": "pre", "architecture": "mlp"},
         "data": {"format": "%s", "train": "%s"}, "training": {"epochs": 1}}
        """.formatted(format, train));
  }

  private static TrainingRequest tree(Path federation, int minSites) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "pre-tree", "mode": "tree", "model": {"name": "pre", "architecture": "mlp"},
         "data": {"format": "idx", "train": "%s"}, "training": {"epochs": 1},
         "federation": {"sites": "file:%s", "rounds": 1, "minSites": %d}}
        """.formatted(good, federation, minSites));
  }

  private static Path federation(String name, List<FederationFile.Site> sites, Set<String> allowlist) throws Exception {
    return Files.write(dir.resolve(name), new FederationFile(sites, allowlist).toJson());
  }

  private static FederationFile.Site site(String id, String data, String account) {
    return new FederationFile.Site(id, data, account, 1.0, List.of());
  }

  private static void operator(TrainingRequest r) throws Exception {
    RequestPreflight.check(r, HADOOP, registry, Federations.Files.ALLOWED);
  }

  private static InvalidRequestException refusal(TrainingRequest r) {
    return refusal(r, Federations.Files.ALLOWED);
  }

  private static InvalidRequestException refusal(TrainingRequest r, Federations.Files files) {
    try {
      RequestPreflight.check(r, HADOOP, registry, files);
    } catch (InvalidRequestException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError("not a refusal: " + e, e);
    }
    throw new AssertionError("accepted: " + r.id());
  }

  @Test
  void goodIdxAndCsvDataPass() throws Exception {
    Path csv = Files.writeString(dir.resolve("ok.csv"), "1,0.5,0.25\n0,0.1,0.2\n");

    operator(compute("idx", good));
    operator(compute("csv", "file:" + csv));
  }

  @Test
  void aMissingDataPathIsRefusedNamingIt() {
    String missing = "file:" + dir.resolve("nope");

    InvalidRequestException e = refusal(compute("idx", missing));

    assertThat(e.field()).isEqualTo("data.train");
    assertThat(e.value()).isEqualTo(missing);
    assertThat(e.getMessage()).isEqualTo("data.train: " + missing + "-images-idx3-ubyte does not exist (nor "
        + missing + "-images-idx3-ubyte.gz)");
  }

  @Test
  void aFileThatIsNotIdxIsRefusedByItsMagicNumber() throws Exception {
    Files.writeString(dir.resolve("text-images-idx3-ubyte"), "label,pixel0,pixel1\n1,2,3\n");
    Files.writeString(dir.resolve("text-labels-idx1-ubyte"), "1\n2\n");
    String prefix = "file:" + dir.resolve("text");

    InvalidRequestException e = refusal(compute("idx", prefix));

    assertThat(e.field()).isEqualTo("data.train");
    assertThat(e.value()).isEqualTo(prefix);
    assertThat(e.getMessage()).startsWith("data.train: ").contains("text-images-idx3-ubyte")
        .contains("magic number 0x6c616265 is not the expected 0x00000803");
  }

  @Test
  void csvThatIsNotTextIsRefused() throws Exception {
    Path bin = Files.write(dir.resolve("binary.csv"), new byte[] {0, 1, 2, (byte) 0xff, 10, 3, 4, 10});

    InvalidRequestException e = refusal(compute("csv", "file:" + bin));

    assertThat(e.field()).isEqualTo("data.train");
    assertThat(e.value()).isEqualTo("file:" + bin);
    assertThat(e.getMessage()).contains("binary.csv");
  }

  @Test
  void minSitesAboveTheSitesIsRefused() throws Exception {
    Path fed = federation("two.json", List.of(site("s1", good, A1), site("s2", good, A2)), Set.of());

    InvalidRequestException e = refusal(tree(fed, 3));

    assertThat(e.field()).isEqualTo("federation.minSites");
    assertThat(e.value()).isEqualTo("3");
    assertThat(e.getMessage()).isEqualTo("federation.minSites: must be at most the 2 sites of file:" + fed + ", got 3");
    operator(tree(fed, 2));
  }

  @Test
  void aSiteOffTheAllowlistIsRefusedNamingItsAccount() throws Exception {
    Path fed = federation("off.json", List.of(site("s1", good, A1), site("s2", good, A2), site("s3", good, A3)),
        Set.of(A1, A2));

    InvalidRequestException e = refusal(tree(fed, 1));

    assertThat(e.field()).isEqualTo("federation.sites");
    assertThat(e.value()).isEqualTo("file:" + fed);
    assertThat(e.getMessage()).isEqualTo("federation.sites: site s3's account " + A3
        + " is not on the allowlist of file:" + fed);
  }

  @Test
  void aSiteWhoseDataIsMissingIsRefused() throws Exception {
    String missing = "file:" + dir.resolve("gone");
    Path fed = federation("gone.json", List.of(site("s1", good, A1), site("s2", missing, A2)), Set.of());

    InvalidRequestException e = refusal(tree(fed, 1));

    assertThat(e.field()).isEqualTo("federation.sites");
    assertThat(e.getMessage()).startsWith("federation.sites: site s2's data: ").contains(dir.resolve("gone").toString());
  }

  @Test
  void aFederationFileThatDoesNotParseIsRefused() throws Exception {
    Path fed = Files.writeString(dir.resolve("broken.json"), "{\"sites\": [", StandardCharsets.UTF_8);

    InvalidRequestException e = refusal(tree(fed, 1));

    assertThat(e.field()).isEqualTo("federation.sites");
    assertThat(e.getMessage()).startsWith("federation.sites: federation.sites file:" + fed + ": not valid JSON");
  }

  private static TrainingRequest withModel(String format, String train, String model) {
    return RequestCodec.parse("""
        {"schema": 1, "id": "pre", "model": %s,
         "data": {"format": "%s", "train": "%s"}, "training": {"epochs": 1}}
        """.formatted(model, format, train));
  }

  @Test
  void aCnnOnFlatCsvFeaturesIsRefused() throws Exception {
    Path csv = Files.writeString(dir.resolve("flat.csv"), "1,0.5,0.25\n0,0.1,0.2\n");

    InvalidRequestException e = refusal(withModel("csv", "file:" + csv,
        "{\"name\": \"pre\", \"architecture\": \"cnn\"}"));

    assertThat(e.field()).isEqualTo("model.architecture");
    assertThat(e.value()).isEqualTo("cnn");
    assertThat(e.getMessage()).isEqualTo("model.architecture: model.architecture cnn needs images, an input shape of"
        + " {channels, height, width}. Current input shape is [2] (data file:" + csv + ": examples of shape [2])");
  }

  @Test
  void convolutionsThatShrinkTheImagesBelowOnePixelAreRefusedNamingTheBlock() throws Exception {
    // the fixture's images are 2x2: the default CNN's first 5x5 convolution does not fit
    InvalidRequestException e = refusal(withModel("idx", good, "{\"name\": \"pre\", \"architecture\": \"cnn\"}"));

    assertThat(e.field()).isEqualTo("model.cnn.conv[0]");
    assertThat(e.getMessage()).isEqualTo("model.cnn.conv[0]: a 5x5 convolution with stride 1 on its 2x2 input would"
        + " reach a spatial size of -2x-2; use fewer blocks, smaller kernels or strides, or less pooling"
        + " (data " + good + ": examples of shape [1, 2, 2])");
    operator(withModel("idx", good, """
        {"name": "pre", "architecture": "cnn", "cnn": {"conv": [{"filters": 2, "kernel": 2, "pool": 1}]}}"""));
  }

  @Test
  void rawDl4jWhoseFirstLayerDoesNotReadTheExamplesIsRefused() {
    String json = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
        .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(784).nOut(8).build())
        .layer(new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(8).nOut(3)
            .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
        .build().toJson();
    String model = "{\"name\": \"pre\", \"architecture\": \"dl4j\", \"dl4j\": "
        + json + "}";

    InvalidRequestException e = refusal(withModel("idx", good, model));

    assertThat(e.field()).isEqualTo("model.dl4jConfiguration");
    assertThat(e.value()).isEqualTo("dl4j");
    assertThat(e.getMessage()).isEqualTo("model.dl4jConfiguration: model.dl4jConfiguration's first layer has nIn = 784"
        + " but the data has 4 features per example (shape [1, 2, 2]) (data " + good + ": examples of shape [1, 2, 2])");
  }

  @Test
  void aSiteWhoseExamplesHaveAnotherShapeIsRefused() throws Exception {
    String other = "file:" + dir.resolve("three");
    IdxWriter.write(HADOOP, other, ExampleShard.of(new int[] {1, 3, 3}, new float[18], new int[] {0, 1}),
        new int[] {0, 1});
    Path fed = federation("shapes.json", List.of(site("s1", good, A1), site("s2", other, A2)), Set.of());

    InvalidRequestException e = refusal(tree(fed, 1));

    assertThat(e.field()).isEqualTo("federation.sites");
    assertThat(e.getMessage()).isEqualTo("federation.sites: site s2's data " + other + " has examples of shape"
        + " [1, 3, 3], data.train " + good + " of shape [1, 2, 2]: the sites train the model the coordinator"
        + " evaluates, so they must agree");
  }

  @Test
  void aRegisteredFederationNarrowedWithinItsGrantPassesBothDoors() throws Exception {
    TrainingRequest r = registered("reg", "[\"s2\", \"s3\"]", 3, 2, "100");

    RequestPreflight.check(r, HADOOP, registry, Federations.Files.REFUSED);
    operator(r);
  }

  @Test
  void minSitesAboveTheChosenSitesNamesTheRegisteredFederation() {
    InvalidRequestException e = refusal(registered("reg", "[\"s1\"]", 1, 2, "1"), Federations.Files.REFUSED);

    assertThat(e).isNotInstanceOf(UnauthorizedRequestException.class);
    assertThat(e.getMessage()).isEqualTo("federation.minSites: must be at most the 1 site of registered federation"
        + " 'reg', got 2");
  }

  @Test
  void theServiceRefusesAFederationFileOfTheRequestsOwnAsUnauthorized() throws Exception {
    Path fed = federation("own.json", List.of(site("s1", good, A1)), Set.of());

    InvalidRequestException e = refusal(tree(fed, 1), Federations.Files.REFUSED);

    assertThat(e).isInstanceOf(UnauthorizedRequestException.class);
    assertThat(e.field()).isEqualTo("federation.sites");
    assertThat(e.value()).isEqualTo("file:" + fed);
    assertThat(e.getMessage()).startsWith("federation.sites: a request may not describe its own federation");
  }

  @Test
  void anUnknownFederationIsUnauthorizedBeforeItsDataIsLookedAt() {
    TrainingRequest r = RequestCodec.parse(new String(RequestCodec.write(registered("nope", null, 1, 1, "1")),
        StandardCharsets.UTF_8).replace(good, "file:" + dir.resolve("missing")));

    InvalidRequestException e = refusal(r, Federations.Files.ALLOWED);

    assertThat(e).isInstanceOf(UnauthorizedRequestException.class);
    assertThat(e.getMessage()).isEqualTo("federation.name: no federation 'nope' is registered; the operator registers"
        + " federations (bin/sparkgrid federation add)");
  }

  @Test
  void aPoolOverTheCapOrRoundsOverTheBudgetAreUnauthorizedAtEitherDoor() {
    for (Federations.Files files : Federations.Files.values()) {
      assertThat(refusal(registered("reg", null, 1, 1, "101"), files))
          .isInstanceOf(UnauthorizedRequestException.class).extracting(InvalidRequestException::field)
          .isEqualTo("reward.poolPerRound");
      assertThat(refusal(registered("reg", null, 4, 1, "100"), files))
          .isInstanceOf(UnauthorizedRequestException.class).extracting(InvalidRequestException::field)
          .isEqualTo("federation.rounds");
    }
  }
}
