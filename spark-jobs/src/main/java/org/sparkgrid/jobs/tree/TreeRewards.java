package org.sparkgrid.jobs.tree;

import java.util.List;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.settlement.ledger.RoundRewards;
import org.sparkgrid.settlement.ledger.SettlementPlan;

/**
 * A federation's settlement plans, one per round: settlement's {@link RoundRewards#plans}, each site
 * paid to the account its federation file names.
 */
public final class TreeRewards {
  private TreeRewards() {}

  /**
   * @throws IllegalArgumentException if a contribution names a site the federation lacks
   */
  public static List<SettlementPlan> plans(String jobId, FederationFile federation, List<Contribution> contributions,
      RewardSpec reward) {
    return RoundRewards.plans(jobId, site -> federation.site(site).account(), contributions, reward);
  }
}
