package org.sparkgrid.federation.round;

import java.io.Serializable;
import java.util.Optional;
import org.sparkgrid.federation.strategy.SiteUpdate;

/**
 * One more check of an update before aggregation, beside the built-in ones of
 * {@link UpdateValidation}: the hook for the site allowlist and the signature check (tree mode's
 * {@code SignatureCheck} in {@code spark-jobs}, which recovers the signer with Web3j, so that this
 * module needs no cryptography library).
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
