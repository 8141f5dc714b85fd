package org.sparkgrid.federation.strategy;

import java.util.Objects;

/**
 * One site's contribution to a round: its update and how many examples it trained on.
 *
 * <p>The update is a delta, {@code siteParams - globalParams}, not the site's parameters: every
 * strategy works on deltas, so a site that did not train sends zeros. Like any record holding an
 * array, {@code equals} compares the array by identity; the array is not copied, and no strategy
 * modifies it.
 *
 * @param siteId      the site's id from the federation file
 * @param delta       {@code siteParams - globalParams}, one float per parameter
 * @param numExamples examples the site trained on this round (the weight of FedAvg)
 */
public record SiteUpdate(String siteId, float[] delta, long numExamples) {

  /** @throws NullPointerException if {@code siteId} or {@code delta} is null */
  public SiteUpdate {
    Objects.requireNonNull(siteId, "siteId");
    Objects.requireNonNull(delta, "delta");
  }
}
