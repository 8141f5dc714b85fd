/**
 * How one epoch of data-parallel training runs on Spark: the {@link org.sparkgrid.jobs.engine.TrainingEngine}
 * interface and its two implementations, SparkGrid's own synchronous parameter averaging
 * ({@link org.sparkgrid.jobs.engine.AveragingEngine}, the default: long barrier tasks that average
 * every few minibatches, on the plan of {@link org.sparkgrid.jobs.engine.SyncPlan}, among themselves
 * by reduce-scatter and all-gather ({@code PeerExchange}, {@code Slices}) with the driver's
 * {@link org.sparkgrid.jobs.engine.ExchangeServer} coordinating, or through that server
 * ({@link org.sparkgrid.jobs.engine.ExchangeMode}) and DL4J's parameter averaging
 * ({@link org.sparkgrid.jobs.engine.Dl4jSparkEngine}). The model travels as a
 * {@link org.sparkgrid.jobs.engine.ModelState}. Start with {@code AveragingEngine}'s class comment.
 * The exchange's wire format is in {@code Exchange}; who may join it ({@code ExchangeAuth}: an HMAC
 * challenge-response under a per-job secret) and how its stream is encrypted ({@code ExchangeCipher}:
 * AES-GCM frames) are described in docs/security-cluster.md.
 */
package org.sparkgrid.jobs.engine;
