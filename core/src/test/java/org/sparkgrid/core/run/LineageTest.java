package org.sparkgrid.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.reward.Contribution;

/** lineage.json as a record: the keys each mode wrote before, and a JSON round trip. */
class LineageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Lineage.SparkRun SPARK = new Lineage.SparkRun("local[2]", "app-1", "3.5.7");

  private static Map<String, Object> throughJson(Map<String, Object> m) throws Exception {
    return JSON.readValue(JSON.writeValueAsBytes(m), new TypeReference<>() {});
  }

  @Test
  void aComputeLineageKeepsTheKeysComputeJobsWroteAndAddsItsMode() throws Exception {
    Lineage l = new Lineage("job-1", "compute", Map.of("id", "job-1"), "sparkgrid", null, null, null, null, null,
        SPARK, "2026-12-04T10:00:00Z", null, null, null, null);

    Map<String, Object> written = throughJson(l.toMap());

    assertThat(written.keySet()).containsExactly("job", "mode", "request", "engine", "initFrom", "sparkMaster",
        "sparkApplicationId", "sparkVersion", "createdAt");
    assertThat(written).containsEntry("engine", "sparkgrid").containsEntry("sparkMaster", "local[2]")
        .containsEntry("initFrom", null);
    assertThat(Lineage.fromMap(written)).isEqualTo(l);
  }

  @Test
  void aTreeLineageRoundTripsItsSitesContributionsAndPayouts() throws Exception {
    List<Contribution> cs = List.of(new Contribution(0, "a", 10, 0.25, 0.5, Double.NaN),
        new Contribution(0, "b", 30, 0.75, -0.1, Double.NaN));
    Lineage l = new Lineage("fed-1", "tree", Map.of("mode", "tree"), null,
        List.of(new Lineage.Site("a", "0x01"), new Lineage.Site("b", "0x02")), 1, "fedavg", cs, "m@1", SPARK,
        "2026-12-04T10:00:00Z", null, List.of(Lineage.Settlement.recorded("fed-1/round-0", "0xroot", "100")), null,
        null);

    Map<String, Object> written = throughJson(l.toMap());
    Lineage read = Lineage.fromMap(written);

    assertThat(written.keySet()).containsExactly("job", "mode", "request", "sites", "rounds", "strategy",
        "contributions", "initFrom", "sparkMaster", "sparkApplicationId", "sparkVersion", "createdAt", "payouts");
    assertThat(written.get("payouts")).isEqualTo(List.of(Map.of("name", "fed-1/round-0", "root", "0xroot",
        "total", "100")));
    assertThat(read.contributions()).hasSize(2);
    assertThat(read.contributions().get(1).lossImprovement()).isEqualTo(-0.1);
    assertThat(read.contributions().get(1).shapley()).isNaN();
    assertThat(read.sites()).containsExactly(new Lineage.Site("a", "0x01"), new Lineage.Site("b", "0x02"));
    assertThat(read.settledOrRecorded()).extracting(Lineage.Settlement::total).containsExactly("100");
    assertThat(read.rounds()).isEqualTo(1);
    assertThat(read.initFrom()).isEqualTo("m@1");
  }

  @Test
  void settlementsOnChainAreReadBeforeRecordedPayouts() {
    Map<String, Object> lineage = Map.of("job", "fed-1",
        "payouts", List.of(Map.of("name", "fed-1/round-0", "root", "0xr", "total", "5")),
        "settlements", List.of(Map.of("name", "fed-1/round-0", "settlementId", "0x9", "root", "0xr", "total", "5",
            "transactionHash", "0xabc", "chainId", 31337L, "distributor", "0xd")));

    List<Lineage.Settlement> rounds = Lineage.fromMap(lineage).settledOrRecorded();

    assertThat(rounds).containsExactly(new Lineage.Settlement("fed-1/round-0", "0xr", "5", "0x9", "0xabc", 31337L,
        "0xd"));
    assertThat(rounds.get(0).toMap()).isEqualTo(((List<?>) lineage.get("settlements")).get(0));
  }

  @Test
  void aSweepsLineageNamesTheSweepsJobAndTheWinningTrial() throws Exception {
    Lineage trial = new Lineage("sweep-1-trial-2", "compute", Map.of("id", "sweep-1"), "sparkgrid", null, null, null,
        null, null, SPARK, "t", null, null, null, null);

    Map<String, Object> written = throughJson(trial.withSweep("sweep-1",
        new Lineage.Sweep(2, "sweep-1-trial-2", Map.of("training.batchSize", 64), Map.of("id", "sweep-1"))).toMap());

    assertThat(written).containsEntry("job", "sweep-1");
    assertThat(written.get("sweep")).isEqualTo(Map.of("trial", 2, "trialJob", "sweep-1-trial-2",
        "overrides", Map.of("training.batchSize", 64), "request", Map.of("id", "sweep-1")));
    assertThat(Lineage.fromMap(written).sweep().trial()).isEqualTo(2);
  }

  @Test
  void partsAnotherVersionWroteBadlyReadAsAbsent() {
    Lineage l = Lineage.fromMap(Map.of("job", "j", "contributions", List.of(Map.of("round", 0)), "rounds", "many"));

    assertThat(l.job()).isEqualTo("j");
    assertThat(l.contributions()).isEmpty();
    assertThat(l.rounds()).isNull();
    assertThat(l.spark()).isNull();
  }
}
