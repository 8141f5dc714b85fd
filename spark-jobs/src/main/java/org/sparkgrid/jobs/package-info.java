/**
 * SparkGrid on Spark: the entry points {@code spark-submit} starts ({@link org.sparkgrid.jobs.TrainJob},
 * {@link org.sparkgrid.jobs.FederatedJob}, {@link org.sparkgrid.jobs.ServiceMain}); {@code bin/sparkgrid}
 * starts {@link org.sparkgrid.jobs.cli.SparkGridCli}.
 *
 * <p>The packages, from the top (each uses only those below it; {@code ArchitectureTest} checks it):
 * <ul>
 *   <li>{@link org.sparkgrid.jobs.cli}, {@link org.sparkgrid.jobs.service}, {@link org.sparkgrid.jobs.report}:
 *       what people and Kafka talk to;
 *   <li>{@link org.sparkgrid.jobs.modes}: chooses how a request runs, by its mode;
 *   <li>{@link org.sparkgrid.jobs.compute} (data-parallel training, sweeps) and {@link org.sparkgrid.jobs.tree}
 *       (federated rounds), which never use each other;
 *   <li>{@link org.sparkgrid.jobs.run}: the seam both implement ({@code TrainingRun}), their shared
 *       preparation and publishing, and the progress they report;
 *   <li>the runtime: {@link org.sparkgrid.jobs.engine} (the averaging engine), {@link org.sparkgrid.jobs.eval},
 *       {@link org.sparkgrid.jobs.data}, {@link org.sparkgrid.jobs.model}, {@link org.sparkgrid.jobs.resources}
 *       (the Spark context, GPUs, capacity), {@link org.sparkgrid.jobs.store} (the Hadoop stores).
 * </ul>
 */
package org.sparkgrid.jobs;
