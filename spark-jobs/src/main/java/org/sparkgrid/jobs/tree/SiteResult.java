package org.sparkgrid.jobs.tree;

import java.io.Serializable;

/**
 * What a site sends back after a round: only its update, never its data.
 *
 * @param siteId    the site
 * @param delta     its parameters after local training minus the round's global parameters
 * @param examples  examples it trained on (per epoch)
 * @param loss      mean training loss of its last local epoch
 * @param seconds   wall time of its local training
 * @param signature the site's signature of the update ({@link SiteSigning}), {@code 0x} + 130 hex
 *                  digits; {@code null} if unsigned (the coordinator then rejects it)
 */
public record SiteResult(String siteId, float[] delta, long examples, double loss, double seconds, String signature)
    implements Serializable {

  /** An unsigned result, as a {@link SiteTrainer} returns it before {@link SiteSigning} signs it. */
  public SiteResult(String siteId, float[] delta, long examples, double loss, double seconds) {
    this(siteId, delta, examples, loss, seconds, null);
  }

  /** This result with a signature. */
  public SiteResult withSignature(String sig) {
    return new SiteResult(siteId, delta, examples, loss, seconds, sig);
  }
}
