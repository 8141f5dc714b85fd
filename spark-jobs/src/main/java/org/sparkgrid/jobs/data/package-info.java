/**
 * Training and test data: reading it, cutting it into shards for Spark, normalizing it, and turning
 * it into DL4J minibatches.
 *
 * <p>Start with {@link org.sparkgrid.jobs.data.DataSource}: {@code DataSource.train(spec)} gives a
 * request's training data, read whole with {@code readAll} or as one {@link
 * org.sparkgrid.jobs.data.ExampleShard} per Spark partition with {@code shards}. Then
 * {@link org.sparkgrid.jobs.data.Normalizers#fit} fits the request's normalization on the raw
 * features, and {@link org.sparkgrid.jobs.data.Minibatches#batch} cuts normalized one-hot
 * minibatches.
 *
 * <p>The formats: {@link org.sparkgrid.jobs.data.IdxReader} (MNIST / Fashion-MNIST IDX files, plain
 * or gzipped) and {@link org.sparkgrid.jobs.data.CsvReader}. Readers fail with
 * {@link java.io.FileNotFoundException} for a missing file and
 * {@link org.sparkgrid.jobs.data.InvalidDataException} for bad content, naming the file and the
 * position. Package-private below them: the per-format sources, the per-shard Spark task, feature
 * moments and file-system helpers.
 */
package org.sparkgrid.jobs.data;
