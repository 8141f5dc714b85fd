package org.sparkgrid.federation.round;

import java.io.Serializable;
import java.util.Optional;
import org.sparkgrid.federation.strategy.SiteUpdate;

/**
 * One more check of an update before aggregation, beside the built-in ones of
 * {@link UpdateValidation}: the hook for the site allowlist and signature checks.
 *
 * <p>Serializable: where tree mode merges in a Spark stage, the checks run in the Spark task that
 * holds the update, so a check may capture only serializable values (ids, accounts, keys as bytes).
 *
 * <pre>{@code
 * UpdateCheck allowlist = u -> allowed.contains(u.siteId())
 *     ? Optional.empty() : Optional.of("site " + u.siteId() + " is not on the allowlist");
 * }</pre>
 */
@FunctionalInterface
public interface UpdateCheck extends Serializable {

  /** Why the update must be rejected, or empty to accept it. Must not modify the update. */
  Optional<String> problem(SiteUpdate update);
}
