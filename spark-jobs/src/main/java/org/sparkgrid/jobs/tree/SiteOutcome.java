package org.sparkgrid.jobs.tree;

import java.io.Serializable;

/**
 * What one site's task of a round ends with, as {@link SiteRound} holds it: the site's signed result,
 * or why it has none.
 *
 * @param siteId    the site
 * @param result    its signed result; null if training failed. In a round whose updates stay on the
 *     executors, the copy that reaches the driver holds a null delta (and keeps the signature, the
 *     local steps and the control-variate delta, which SCAFFOLD's merge needs on the driver)
 * @param deltaHash SHA-256 of the delta as the task signed it, for the coordinator's signature
 *     check where the delta stays on the executor; null if training failed
 * @param failure   why training failed (the root cause's message), or null
 * @param problem   why the update failed the shape checks run in the task, or null (only where the
 *     updates stay on the executors: see {@link SiteRound})
 */
record SiteOutcome(String siteId, SiteResult result, byte[] deltaHash, String failure, String problem)
    implements Serializable {

  /** A site whose training failed. */
  static SiteOutcome failed(String siteId, String failure) {
    return new SiteOutcome(siteId, null, null, failure, null);
  }

  /** This outcome without the delta: what comes back to the driver when the update stays on its executor. */
  SiteOutcome withoutDelta() {
    return result == null ? this : new SiteOutcome(siteId, result.withoutDelta(), deltaHash, failure, problem);
  }

  /** The delta; fails for a site that has none. */
  float[] delta() {
    if (result == null || result.delta() == null) {
      throw new IllegalStateException("site " + siteId + " holds no update" + (failure == null ? "" : ": " + failure));
    }
    return result.delta();
  }
}
