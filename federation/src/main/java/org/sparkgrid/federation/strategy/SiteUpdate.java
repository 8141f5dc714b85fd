package org.sparkgrid.federation.strategy;

import java.util.Objects;

/**
 * One site's contribution to a round: its update, how many examples it trained on, and the facts
 * that strategies for heterogeneous sites need besides (FedNova's local steps, SCAFFOLD's
 * control-variate delta).
 *
 * <p>The update is a delta, {@code siteParams - globalParams}, not the site's parameters: every
 * strategy works on deltas, so a site that did not train sends zeros. Like any record holding an
 * array, {@code equals} compares the arrays by identity; they are not copied, and no strategy
 * modifies them.
 *
 * @param siteId       the site's id from the federation file
 * @param delta        {@code siteParams - globalParams}, one float per parameter
 * @param numExamples  examples the site trained on this round (the weight of FedAvg)
 * @param localSteps   the site's local steps this round, {@code ||a_i||_1} of FedNova (Wang et al. 2020):
 *                     for plain SGD the number of local mini-batch steps; 0 when the site did not report it
 * @param controlDelta SCAFFOLD's {@code c_i+ - c_i} (Karimireddy et al. 2020), as long as {@code delta};
 *                     null when the site did not send one
 */
public record SiteUpdate(String siteId, float[] delta, long numExamples, long localSteps, float[] controlDelta) {

  /**
   * @throws NullPointerException if {@code siteId} or {@code delta} is null
   * @throws IllegalArgumentException if {@code localSteps < 0}
   */
  public SiteUpdate {
    Objects.requireNonNull(siteId, "siteId");
    Objects.requireNonNull(delta, "delta");
    if (localSteps < 0) {
      throw new IllegalArgumentException("localSteps of site " + siteId + " is " + localSteps + "; must be >= 0");
    }
  }

  /** An update with no local steps reported and no control-variate delta: what most strategies need. */
  public SiteUpdate(String siteId, float[] delta, long numExamples) {
    this(siteId, delta, numExamples, 0, null);
  }

  /** This update with another delta (e.g. clipped), every other fact kept. */
  public SiteUpdate withDelta(float[] newDelta) {
    return new SiteUpdate(siteId, newDelta, numExamples, localSteps, controlDelta);
  }
}
