/**
 * Scoring a trained classifier: accuracy, mean cross-entropy, per-class precision, recall and F1,
 * and the confusion matrix.
 *
 * <p>Start with {@link org.sparkgrid.jobs.eval.SparkEvaluator} (test batches in an RDD) or {@link
 * org.sparkgrid.jobs.eval.LocalEvaluator} (batches in this JVM); both return an {@link
 * org.sparkgrid.core.run.EvaluationResult}, which prints a console summary and converts to the
 * map written to {@code metrics.json}. Both fill the same {@link org.sparkgrid.jobs.eval.EvaluationCounts},
 * so they agree on the same batches.
 */
package org.sparkgrid.jobs.eval;
