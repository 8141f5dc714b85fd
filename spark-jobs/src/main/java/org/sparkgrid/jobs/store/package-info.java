/**
 * The model and checkpoint stores over Hadoop's FileSystem API, on {@code file://} or
 * {@code hdfs://}.
 *
 * <p>Start with {@link org.sparkgrid.jobs.store.HadoopModelStore} and
 * {@link org.sparkgrid.jobs.store.HadoopCheckpointStore}, which implement the interfaces of
 * {@code org.sparkgrid.core.store}; {@link org.sparkgrid.jobs.store.Stores} opens both at the root the configuration names
 * ({@code SparkGridConfig.storeRoot()}).
 * How writes are made atomic (write to {@code _tmp-<uuid>}, then rename without
 * replacing) is in the package-private {@code StoreFileSystem}.
 * {@link org.sparkgrid.jobs.store.CheckpointWriter} writes checkpoints on a background thread, one
 * at a time, so that a federation's next round trains meanwhile.
 */
package org.sparkgrid.jobs.store;
