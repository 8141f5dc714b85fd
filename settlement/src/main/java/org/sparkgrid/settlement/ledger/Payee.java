package org.sparkgrid.settlement.ledger;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who is paid in one settlement, and the measures the pool is split by: a site's
 * {@link org.sparkgrid.core.reward.Contribution} (what it did, measured by federation's scoring)
 * with the account it is paid to and the score chosen by the reward's scoring
 * ({@link RoundRewards} makes them).
 *
 * @param site     the site's name, for reports (not paid; several sites may not share an account)
 * @param account  the Ethereum address paid, 0x and 40 hex digits (kept in lower case)
 * @param score    the contribution score, finite and {@code >= 0}
 * @param examples the number of training examples the site used, {@code >= 0}
 */
public record Payee(String site, String account, double score, long examples) {
  private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

  /**
   * @throws IllegalArgumentException naming the field and value, if one is out of range
   */
  public Payee {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(account, "account");
    if (site.isBlank()) {
      throw new IllegalArgumentException("site must not be blank");
    }
    if (!ADDRESS.matcher(account).matches()) {
      throw new IllegalArgumentException(
          "account of site '" + site + "' must be 0x and 40 hex digits. Current value is '" + account + "'.");
    }
    account = account.toLowerCase(Locale.ROOT);
    if (!Double.isFinite(score) || score < 0) {
      throw new IllegalArgumentException(
          "score of site '" + site + "' must be finite and >= 0. Current value is " + score + ".");
    }
    if (examples < 0) {
      throw new IllegalArgumentException(
          "examples of site '" + site + "' must be >= 0. Current value is " + examples + ".");
    }
  }
}
