package org.sparkgrid.jobs.run;

import java.util.List;
import java.util.Set;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.RoundMetrics;

/**
 * What a finished federated round tells a {@link org.sparkgrid.jobs.run.ProgressListener}.
 *
 * @param metrics       the round's figures (accuracy, loss, accepted and rejected sites with reasons)
 * @param rounds        rounds the job runs in all
 * @param contributions each accepted site's contribution to this round
 * @param excluded      sites an admin excluded (left out of this round and later ones)
 */
public record RoundReport(RoundMetrics metrics, int rounds, List<Contribution> contributions, Set<String> excluded) {
  public RoundReport {
    contributions = List.copyOf(contributions);
    excluded = Set.copyOf(excluded);
  }
}
