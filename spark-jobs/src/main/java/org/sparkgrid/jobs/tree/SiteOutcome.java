package org.sparkgrid.jobs.tree;

import java.io.Serializable;

/**
 * What one site's task of a round ends with, as {@link SiteRound} holds it: the site's result, or why
 * it has none.
 *
 * @param siteId  the site
 * @param result  its result; null if training failed. In a round whose updates stay on the executors,
 *     the copy that reaches the driver holds a null delta
 * @param failure why training failed (the root cause's message), or null
 * @param problem why the update was rejected by the checks run in the task, or null (only where the
 *     checks run in the task: see {@link SiteRound})
 */
record SiteOutcome(String siteId, SiteResult result, String failure, String problem) implements Serializable {

  /** This outcome without the delta: what comes back to the driver when the update stays on its executor. */
  SiteOutcome withoutDelta() {
    return result == null ? this : new SiteOutcome(siteId, new SiteResult(result.siteId(), null, result.examples(),
        result.loss(), result.seconds()), failure, problem);
  }

  /** The delta; fails for a site that has none. */
  float[] delta() {
    if (result == null || result.delta() == null) {
      throw new IllegalStateException("site " + siteId + " holds no update" + (failure == null ? "" : ": " + failure));
    }
    return result.delta();
  }
}
