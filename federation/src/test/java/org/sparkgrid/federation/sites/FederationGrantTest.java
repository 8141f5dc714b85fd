package org.sparkgrid.federation.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.request.StrategySpec;
import org.sparkgrid.core.request.UnauthorizedRequestException;

/** The narrowing rules on a registered federation of three sites, cap 100 per round, budget 300. */
class FederationGrantTest {
  private static final String A = "0x" + "a".repeat(40);
  private static final String B = "0x" + "b".repeat(40);
  private static final String C = "0x" + "c".repeat(40);
  private static final RegisteredFederation FED = new RegisteredFederation("three", new FederationFile(List.of(
      new FederationFile.Site("s1", "file:/s1", A, 1.0, List.of("h1")),
      new FederationFile.Site("s2", "file:/s2", B, 1.0, List.of("h2")),
      new FederationFile.Site("s3", "file:/s3", C, 1.0, List.of("h3"))), Set.of(A, B)),
      BigInteger.valueOf(100), BigInteger.valueOf(300));

  private static FederationSpec spec(List<String> siteIds, int rounds) {
    return FederationSpec.registered("three", siteIds, rounds, 1, 1.0, 1, 60_000, new StrategySpec("fedavg",
        java.util.Map.of()));
  }

  @Test
  void noSiteIdsTakesEverySiteAsRegistered() {
    FederationFile f = FederationGrant.narrow(FED, spec(List.of(), 3), new RewardSpec("100", "examples"));

    assertThat(f).isEqualTo(FED.federation());
  }

  @Test
  void siteIdsKeepThoseSitesInRegisteredOrderWithTheirAccountsDataAndHosts() {
    FederationFile f = FederationGrant.narrow(FED, spec(List.of("s3", "s1"), 1), null);

    assertThat(f.ids()).containsExactly("s1", "s3");
    assertThat(f.site("s3")).isEqualTo(FED.federation().site("s3"));
    assertThat(f.allowlist()).containsExactlyInAnyOrder(A, B);
  }

  @Test
  void aSiteTheFederationDoesNotHoldIsRefusedNamingItsIndex() {
    assertThatThrownBy(() -> FederationGrant.narrow(FED, spec(List.of("s1", "evil"), 1), null))
        .isInstanceOf(UnauthorizedRequestException.class)
        .hasMessage("federation.siteIds[1]: site 'evil' is not a site of registered federation 'three': a request"
            + " may choose some of its sites, never add one")
        .satisfies(e -> assertThat(((UnauthorizedRequestException) e).value()).isEqualTo("evil"));
  }

  @Test
  void aPoolAtTheCapPassesAndOneOverItIsRefused() {
    assertThat(FederationGrant.narrow(FED, spec(List.of(), 3), new RewardSpec("100", "examples")).ids()).hasSize(3);

    assertThatThrownBy(() -> FederationGrant.narrow(FED, spec(List.of(), 1), new RewardSpec("101", "examples")))
        .isInstanceOf(UnauthorizedRequestException.class)
        .hasMessage("reward.poolPerRound: 101 is over the rewardPoolCapPerRound of registered federation 'three', 100");
  }

  @Test
  void poolTimesRoundsOverTheBudgetIsRefusedNamingTheRounds() {
    // 75 x 4 = 300: the whole budget; 75 x 5 = 375 > 300
    assertThat(FederationGrant.narrow(FED, spec(List.of(), 4), new RewardSpec("75", "examples")).ids()).hasSize(3);

    assertThatThrownBy(() -> FederationGrant.narrow(FED, spec(List.of(), 5), new RewardSpec("75", "examples")))
        .isInstanceOf(UnauthorizedRequestException.class)
        .hasMessage("federation.rounds: 5 rounds of 75 pay 375, over the tokenBudget of registered federation"
            + " 'three', 300 (at most 4 rounds at this pool)");
  }

  @Test
  void aRequestWithoutARewardOrWithAZeroPoolPaysNothingAndHasNoRoundBound() {
    assertThat(FederationGrant.narrow(FED, spec(List.of(), 1000), null).ids()).hasSize(3);
    assertThat(FederationGrant.narrow(FED, spec(List.of(), 1000), new RewardSpec("0", "examples")).ids()).hasSize(3);
  }

  @Test
  void anUnknownNameAndAFileOfItsOwnAreRefusals() {
    assertThat(FederationGrant.unknown("nope")).hasMessage("federation.name: no federation 'nope' is registered;"
        + " the operator registers federations (bin/sparkgrid federation add)");
    assertThat(FederationGrant.ownFile("file:/x.json").field()).isEqualTo("federation.sites");
    assertThat(FederationGrant.ownFile("file:/x.json").getMessage()).startsWith("federation.sites: a request may not"
        + " describe its own federation (sites, accounts, allowlist)");
  }
}
