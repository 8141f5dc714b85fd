package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The identity check and placement as pure functions: no Spark. */
class SiteIdentityTest {

  @Test
  void anExecutorHoldingTheSiteIdMayActForIt() {
    SiteIdentity.Executor a = new SiteIdentity.Executor("1", "host-a", List.of("site-a"));

    assertThat(SiteIdentity.refusal("site-a", a)).isEmpty();
  }

  @Test
  void anotherSitesExecutorIsRefusedNamingBothSitesTheExecutorAndItsHost() {
    SiteIdentity.Executor b = new SiteIdentity.Executor("2", "host-b", List.of("site-b"));

    assertThat(SiteIdentity.refusal("site-a", b)).contains(
        "site site-a's task refused executor 2 on host host-b: it holds the identity of site-b, not of site-a");
  }

  @Test
  void anExecutorWithoutAnyIdentityIsRefusedSayingHowToGiveOne() {
    SiteIdentity.Executor none = new SiteIdentity.Executor("3", "h", List.of());

    assertThat(SiteIdentity.refusal("site-a", none)).hasValueSatisfying(m -> assertThat(m)
        .isEqualTo("site site-a's task refused executor 3 on host h: it holds no site identity (Spark resource"
            + " sparkgrid-site: give the site's workers a discovery script that prints the site id and set"
            + " spark.executor.resource.sparkgrid-site.amount=1 and spark.task.resource.sparkgrid-site.amount=0.01;"
            + " on one machine set spark.sparkgrid.federation.siteIdentity=coordinator)"));
  }

  @Test
  void autoIsCoordinatorOnOneJvmAndExecutorOnEveryClusterMaster() {
    assertThat(SiteIdentity.Mode.of("auto", "local")).isEqualTo(SiteIdentity.Mode.COORDINATOR);
    assertThat(SiteIdentity.Mode.of("auto", "local[*]")).isEqualTo(SiteIdentity.Mode.COORDINATOR);
    assertThat(SiteIdentity.Mode.of("auto", "local[4,2]")).isEqualTo(SiteIdentity.Mode.COORDINATOR);
    assertThat(SiteIdentity.Mode.of("auto", "local-cluster[2,1,1024]")).isEqualTo(SiteIdentity.Mode.EXECUTOR);
    assertThat(SiteIdentity.Mode.of("auto", "spark://m:7077")).isEqualTo(SiteIdentity.Mode.EXECUTOR);
    assertThat(SiteIdentity.Mode.of("auto", "yarn")).isEqualTo(SiteIdentity.Mode.EXECUTOR);
    assertThat(SiteIdentity.Mode.of("executor", "local[2]")).isEqualTo(SiteIdentity.Mode.EXECUTOR);
    assertThat(SiteIdentity.Mode.of("coordinator", "yarn")).isEqualTo(SiteIdentity.Mode.COORDINATOR);
  }

  @Test
  void aSiteIsPlacedOnTheExecutorsHoldingItsIdElseOnItsHosts() {
    List<SitePlacement.Holder> holders = List.of(new SitePlacement.Holder("1", "w1", List.of("site-a")),
        new SitePlacement.Holder("2", "w2", List.of("site-b")), new SitePlacement.Holder("3", "w2", List.of("site-a")));

    assertThat(SitePlacement.locations(holders, "site-a", List.of("w9")))
        .containsExactly("executor_w1_1", "executor_w2_3");
    assertThat(SitePlacement.locations(holders, "site-c", List.of("w9"))).containsExactly("w9");
  }

  @Test
  void refusalsAreSummedUpInOneLine() {
    SiteRefusals.Refusal r = new SiteRefusals.Refusal(4, "2", "h", "site site-a's task refused executor 2 on host h: x");

    assertThat(SiteRefusals.summary(List.of())).isEmpty();
    assertThat(SiteRefusals.summary(List.of(r, r))).isEqualTo(
        "placement: 2 attempts refused by site identity (site site-a's task refused executor 2 on host h: x)");
  }

  @Test
  void aSitesStoreReceivesTheModelUnderTheJobId() {
    assertThat(SiteStores.path("hdfs://site-a/models", "job-1")).isEqualTo("hdfs://site-a/models/job-1/model.zip");
    assertThat(SiteStores.path("file:/tmp/s/", "job-1")).isEqualTo("file:/tmp/s/job-1/model.zip");
  }
}
