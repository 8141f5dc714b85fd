package org.sparkgrid.federation.sites;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.request.UnauthorizedRequestException;

/**
 * What a tree request may take from a registered federation: only less of it. Pure rules, each
 * refusal an {@link UnauthorizedRequestException} naming the request's field and value:
 *
 * <ul>
 *   <li>{@code federation.name}: a registered federation ({@link #unknown});
 *   <li>{@code federation.sites}: a request may not describe a federation of its own ({@link #ownFile});
 *   <li>{@code federation.siteIds}: each a site of the registered federation; the request runs in those
 *       sites only (absent: all of them), with their registered accounts, data, hosts and keys;
 *   <li>{@code reward.poolPerRound}: at most the federation's {@code rewardPoolCapPerRound};
 *   <li>{@code federation.rounds}: {@code poolPerRound × rounds} at most its {@code tokenBudget}
 *       (a request without {@code reward} pays nothing and has no bound on rounds here).
 * </ul>
 *
 * <pre>{@code
 * FederationFile sites = FederationGrant.narrow(registered, request.federation(), request.reward());
 * }</pre>
 */
public final class FederationGrant {

  private FederationGrant() {}

  /**
   * The registered federation narrowed as the request asks: its sites limited to {@code fed.siteIds()}
   * (in registered order; all when empty), the allowlist as registered.
   *
   * @throws UnauthorizedRequestException naming {@code federation.siteIds[i]}, {@code reward.poolPerRound}
   *     or {@code federation.rounds} if the request asks for more than the registration grants
   */
  public static FederationFile narrow(RegisteredFederation registered, FederationSpec fed, RewardSpec reward) {
    FederationFile all = registered.federation();
    for (int i = 0; i < fed.siteIds().size(); i++) {
      String id = fed.siteIds().get(i);
      if (!all.ids().contains(id)) {
        throw new UnauthorizedRequestException("federation.siteIds[" + i + "]", id, "site '" + id
            + "' is not a site of registered federation '" + registered.name() + "': a request may choose some of"
            + " its sites, never add one");
      }
    }
    List<FederationFile.Site> sites = new ArrayList<>();
    for (FederationFile.Site s : all.sites()) {
      if (fed.siteIds().isEmpty() || fed.siteIds().contains(s.id())) {
        sites.add(s);
      }
    }
    if (reward != null) {
      checkReward(registered, fed.rounds(), new BigInteger(reward.poolPerRound()));
    }
    return new FederationFile(sites, all.allowlist());
  }

  /**
   * Refuses a pool over the cap, then a total ({@code pool × rounds}) over the budget.
   *
   * @throws UnauthorizedRequestException naming {@code reward.poolPerRound} or {@code federation.rounds}
   */
  static void checkReward(RegisteredFederation registered, int rounds, BigInteger pool) {
    if (pool.compareTo(registered.rewardPoolCapPerRound()) > 0) {
      throw new UnauthorizedRequestException("reward.poolPerRound", pool.toString(), pool + " is over the "
          + RegisteredFederation.CAP + " of registered federation '" + registered.name() + "', "
          + registered.rewardPoolCapPerRound());
    }
    BigInteger total = pool.multiply(BigInteger.valueOf(rounds));
    if (total.compareTo(registered.tokenBudget()) > 0) {
      throw new UnauthorizedRequestException("federation.rounds", String.valueOf(rounds), rounds + " rounds of "
          + pool + " pay " + total + ", over the " + RegisteredFederation.BUDGET + " of registered federation '"
          + registered.name() + "', " + registered.tokenBudget() + " (at most "
          + registered.tokenBudget().divide(pool) + " rounds at this pool)");
    }
  }

  /** The refusal of a {@code federation.name} that no federation is registered under. */
  public static UnauthorizedRequestException unknown(String name) {
    return new UnauthorizedRequestException("federation.name", name, "no federation '" + name
        + "' is registered; the operator registers federations (bin/sparkgrid federation add)");
  }

  /** The refusal, in the service, of a request that names a federation file of its own. */
  public static UnauthorizedRequestException ownFile(String path) {
    return new UnauthorizedRequestException("federation.sites", path, "a request may not describe its own"
        + " federation (sites, accounts, allowlist); the operator registers it (bin/sparkgrid federation add --name N"
        + " --file " + path + ") and the request names it in federation.name");
  }
}
