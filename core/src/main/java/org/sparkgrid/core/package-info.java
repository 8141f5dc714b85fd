/**
 * SparkGrid's core: what the other modules share, with no Spark, Hadoop, Kafka, Web3j or DL4J on
 * its classpath (only the JDK, slf4j and Jackson).
 *
 * <p>Where to start:
 * <ul>
 *   <li>{@link org.sparkgrid.core.request}: training requests; {@link org.sparkgrid.core.request.RequestCodec}
 *       reads, checks and writes them
 *   <li>{@link org.sparkgrid.core.config}: every {@code spark.sparkgrid.*} key, in
 *       {@link org.sparkgrid.core.config.SparkGridConfig}
 *   <li>{@link org.sparkgrid.core.math}: pure aggregation math over {@code float[]}, starting with
 *       {@link org.sparkgrid.core.math.WeightedAverage}
 *   <li>{@link org.sparkgrid.core.store}: model references ({@link org.sparkgrid.core.store.ModelRef})
 *   <li>{@link org.sparkgrid.core.sweep}: a sweep's trial results and leaderboard
 * </ul>
 */
package org.sparkgrid.core;
