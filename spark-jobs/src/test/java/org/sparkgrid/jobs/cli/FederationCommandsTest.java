package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.federation.sites.FederationFile;

/**
 * {@code bin/sparkgrid federation add|list|remove} on a real registry directory, and {@code federate}
 * refusing, before Spark starts, a request that asks for more than the registered federation grants:
 * exit 2 and one line naming the field.
 */
class FederationCommandsTest {
  private static final String A1 = "0x" + "1".repeat(40);
  private static final String A2 = "0x" + "2".repeat(40);
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;
  private Path file;

  @BeforeEach
  void setUp() throws Exception {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    file = Files.write(dir.resolve("federation.json"), new FederationFile(List.of(
        new FederationFile.Site("site-01", "file:/s1", A1, 1.0, List.of()),
        new FederationFile.Site("site-02", "file:/s2", A2, 1.0, List.of())), Set.of()).toJson());
  }

  @AfterEach
  void tearDown() {
    System.setOut(oldOut);
    System.setErr(oldErr);
    System.clearProperty("spark.sparkgrid.federation.registry");
  }

  private int sparkgrid(String... args) {
    out.reset();
    err.reset();
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--conf";
    all[args.length + 1] = "spark.sparkgrid.federation.registry=" + dir.resolve("registry");
    return SparkGridCli.execute(all);
  }

  private String outText() {
    return out.toString(StandardCharsets.UTF_8).strip();
  }

  /** The last line on stderr (Hadoop may log a warning before it). */
  private String errLine() {
    List<String> lines = err.toString(StandardCharsets.UTF_8).strip().lines().toList();
    return lines.get(lines.size() - 1);
  }

  @Test
  void addsListsAndRemovesAFederation() {
    assertThat(sparkgrid("federation", "add", "--name", "two", "--file", file.toString(),
        "--reward-pool-cap-per-round", "100", "--token-budget", "300")).isZero();
    assertThat(outText()).isEqualTo("registered federation 'two': 2 sites [site-01, site-02], rewardPoolCapPerRound"
        + " 100, tokenBudget 300, in " + dir.resolve("registry/two.json"));

    assertThat(sparkgrid("federation", "list")).isZero();
    assertThat(outText()).isEqualTo("two: 2 sites [site-01, site-02], rewardPoolCapPerRound 100, tokenBudget 300");

    assertThat(sparkgrid("federation", "remove", "two")).isZero();
    assertThat(sparkgrid("federation", "list")).isZero();
    assertThat(outText()).isEqualTo("no federation registered in " + dir.resolve("registry"));
  }

  @Test
  void refusesADuplicateAMissingAmountAndAnUnknownRemovalNamingWhatIsWrong() {
    assertThat(sparkgrid("federation", "add", "--name", "two", "--file", file.toString(),
        "--reward-pool-cap-per-round", "100", "--token-budget", "300")).isZero();

    assertThat(sparkgrid("federation", "add", "--name", "two", "--file", file.toString(),
        "--reward-pool-cap-per-round", "5", "--token-budget", "5")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: name: a federation 'two' is registered already ("
        + dir.resolve("registry/two.json") + "); remove it first (bin/sparkgrid federation remove two)");

    assertThat(sparkgrid("federation", "add", "--name", "three", "--file", file.toString(),
        "--reward-pool-cap-per-round", "100")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: " + file + ": tokenBudget: is required (token units, a string of"
        + " digits)");

    assertThat(sparkgrid("federation", "remove", "nope")).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: federation remove: no federation 'nope' is registered in "
        + dir.resolve("registry") + " (registered: [two])");
  }

  @Test
  void federateRefusesAPoolOverTheCapWithOneLineBeforeSparkStarts() throws Exception {
    assertThat(sparkgrid("federation", "add", "--name", "two", "--file", file.toString(),
        "--reward-pool-cap-per-round", "100", "--token-budget", "300")).isZero();
    Path request = Files.writeString(dir.resolve("tree.json"), """
        {"schema": 1, "id": "cli-over", "mode": "tree", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/nowhere/train"}, "training": {"epochs": 1},
         "federation": {"name": "two", "rounds": 1}, "reward": {"poolPerRound": "101"}}""");

    assertThat(sparkgrid("federate", "--request", request.toString())).isEqualTo(2);
    assertThat(errLine()).isEqualTo("sparkgrid: reward.poolPerRound: 101 is over the rewardPoolCapPerRound of"
        + " registered federation 'two', 100");
  }
}
