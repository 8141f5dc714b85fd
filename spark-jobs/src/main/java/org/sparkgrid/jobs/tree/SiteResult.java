package org.sparkgrid.jobs.tree;

import java.io.Serializable;
import org.sparkgrid.federation.strategy.SiteUpdate;

/**
 * What a site sends back after a round: only its update, never its data.
 *
 * @param siteId       the site
 * @param delta        its parameters after local training minus the round's global parameters
 * @param examples     examples it trained on (per epoch)
 * @param localSteps   the local minibatch steps it took this round (FedNova's {@code tau_i}, SCAFFOLD's
 *                     {@code K}); 0 when the trainer does not report them
 * @param controlDelta SCAFFOLD's control-variate delta {@code c_i+ - c_i}, as long as {@code delta}; null
 *                     when the round's strategy is not SCAFFOLD
 * @param loss         mean training loss of its last local epoch
 * @param seconds      wall time of its local training
 * @param signature    the site's signature of the update ({@link SiteSigning}: delta, examples, local
 *                     steps and control delta), {@code 0x} + 130 hex digits; {@code null} if unsigned
 *                     (the coordinator then rejects it)
 */
public record SiteResult(String siteId, float[] delta, long examples, long localSteps, float[] controlDelta,
    double loss, double seconds, String signature) implements Serializable {

  /** An unsigned result without local steps or control delta (a trainer that reports neither). */
  public SiteResult(String siteId, float[] delta, long examples, double loss, double seconds) {
    this(siteId, delta, examples, 0, null, loss, seconds, null);
  }

  /** An unsigned result, as a {@link SiteTrainer} returns it before {@link SiteSigning} signs it. */
  public SiteResult(String siteId, float[] delta, long examples, long localSteps, float[] controlDelta, double loss,
      double seconds) {
    this(siteId, delta, examples, localSteps, controlDelta, loss, seconds, null);
  }

  /** This result with a signature. */
  public SiteResult withSignature(String sig) {
    return new SiteResult(siteId, delta, examples, localSteps, controlDelta, loss, seconds, sig);
  }

  /** This result without its delta (what reaches the driver when the delta stays on its executor). */
  SiteResult withoutDelta() {
    return new SiteResult(siteId, null, examples, localSteps, controlDelta, loss, seconds, signature);
  }

  /** The update the strategies merge: delta, examples, local steps and control delta. */
  public SiteUpdate update() {
    return new SiteUpdate(siteId, delta, examples, localSteps, controlDelta);
  }
}
