/**
 * What a training run leaves behind, as records: {@link org.sparkgrid.core.run.RunMetrics}
 * ({@code metrics.json}: the test {@link org.sparkgrid.core.run.EvaluationResult}, each epoch's
 * {@link org.sparkgrid.core.run.EpochMetrics} or each round's {@link org.sparkgrid.core.run.RoundMetrics},
 * a sweep's leaderboard) and {@link org.sparkgrid.core.run.Lineage} ({@code lineage.json}: the job, the
 * request, the Spark application, a federation's sites, contributions and settlements). Spark-jobs
 * writes them when it registers a model; the report, the CLI and the service read them back with
 * {@code fromMap}.
 */
package org.sparkgrid.core.run;
