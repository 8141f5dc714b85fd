package org.sparkgrid.jobs.tree;

import java.util.Map;
import java.util.Optional;
import org.sparkgrid.federation.round.UpdateCheck;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.settlement.signing.UpdateSignatures;

/**
 * The coordinator's check of one round's signatures: an update is accepted only if its signature
 * recovers the site's account in the federation file. The signed digest is recomputed on the
 * coordinator (job, round, site, examples, SHA-256 of the delta, and the local steps and the
 * control-variate delta where the update carries them), so a signature made with another
 * key, for another round or job, or over a delta changed after signing, recovers another address and
 * the update is rejected with a reason naming both addresses. As an {@link UpdateCheck}
 * ({@code driver} aggregation) it hashes the delta as received; {@link #problem(String, long, byte[])}
 * takes the hash the site's task computed, where the delta stays on its executor ({@code spark}
 * aggregation).
 */
final class SignatureCheck implements UpdateCheck {
  private final String jobId;
  private final int round;
  private final FederationFile federation;
  private final Map<String, String> signatures;

  /**
   * @param signatures site id to the signature its update came with (a site with none: unsigned)
   */
  SignatureCheck(String jobId, int round, FederationFile federation, Map<String, String> signatures) {
    this.jobId = jobId;
    this.round = round;
    this.federation = federation;
    this.signatures = Map.copyOf(signatures);
  }

  @Override
  public Optional<String> problem(SiteUpdate u) {
    return problem(u.siteId(), u.numExamples(), UpdateSignatures.deltaHash(u.delta()), u.localSteps(), u.controlDelta());
  }

  /** As {@link #problem(String, long, byte[], long, float[])} for an update without local steps or control delta. */
  Optional<String> problem(String siteId, long examples, byte[] deltaHash) {
    return problem(siteId, examples, deltaHash, 0, null);
  }

  /**
   * Why the update of {@code siteId} must be rejected, or empty if its signature recovers the site's account.
   *
   * @param deltaHash    SHA-256 of the update's delta ({@link UpdateSignatures#deltaHash})
   * @param localSteps   the local steps the update reports (0: none)
   * @param controlDelta its control-variate delta, or null
   */
  Optional<String> problem(String siteId, long examples, byte[] deltaHash, long localSteps, float[] controlDelta) {
    String signature = signatures.get(siteId);
    if (signature == null) {
      return Optional.of("update of site " + siteId + " is not signed");
    }
    String signer;
    try {
      signer = UpdateSignatures.signer(SiteSigning.digest(jobId, round, siteId, deltaHash, examples, localSteps,
          controlDelta), signature);
    } catch (IllegalArgumentException e) {
      return Optional.of("update of site " + siteId + " has an invalid signature: " + e.getMessage());
    }
    String account = federation.site(siteId).account();
    if (!signer.equalsIgnoreCase(account)) {
      return Optional.of("signature check failed: the update of site " + siteId + " is signed by " + signer
          + ", not by the site's account " + account + " (another key, or an update changed after signing)");
    }
    return Optional.empty();
  }
}
