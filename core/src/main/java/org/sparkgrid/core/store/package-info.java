/**
 * The model store's vocabulary. Start with {@link org.sparkgrid.core.store.ModelRef}
 * ({@code name@best}, {@code name@latest}, {@code name@N}); the store implementation on a Hadoop
 * FileSystem lives in spark-jobs.
 */
package org.sparkgrid.core.store;
