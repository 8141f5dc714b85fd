/**
 * Where trained models and resumable job state live, independent of the file system.
 *
 * <p>Start with {@link org.sparkgrid.core.store.ModelStore} (publish a version, resolve
 * {@code name@best}, {@code name@latest} or {@code name@N} through
 * {@link org.sparkgrid.core.store.ModelRef}) and
 * {@link org.sparkgrid.core.store.CheckpointStore} (save, find and prune checkpoints of a job). A
 * publish takes {@link org.sparkgrid.core.store.ModelArtifacts}; files are produced by
 * {@link org.sparkgrid.core.store.ArtifactWriter}s.
 *
 * <p>Shared by every implementation: {@link org.sparkgrid.core.store.VersionSelection} (the
 * {@code @best}/{@code @latest}/{@code @N} rule), {@link org.sparkgrid.core.store.StoreNames}
 * (which names become path segments) and {@link org.sparkgrid.core.store.StoreJson} (how
 * {@code metrics.json} and {@code lineage.json} are written). The implementation over Hadoop's
 * FileSystem API ({@code file://}, {@code hdfs://}) is {@code org.sparkgrid.jobs.store} in
 * spark-jobs.
 */
package org.sparkgrid.core.store;
