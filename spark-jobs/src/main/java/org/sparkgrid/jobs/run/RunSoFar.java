package org.sparkgrid.jobs.run;

import java.util.List;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.core.run.RunMetrics;

/**
 * What a job's checkpoint holds of its figures, for a job that has not registered a model (yet):
 * the epochs or rounds so far and, in tree mode, the contributions so far.
 *
 * @param metrics       the figures so far, without a final evaluation
 * @param contributions tree mode: each site's contribution to each round so far; {@code null} otherwise
 */
public record RunSoFar(RunMetrics metrics, List<Contribution> contributions) {}
