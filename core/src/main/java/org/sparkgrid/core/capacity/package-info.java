/**
 * Matching a job's per-worker needs against the executors a cluster has: pure arithmetic over
 * plain records, with no Spark in it. Start with {@link org.sparkgrid.core.capacity.CapacityMatch}.
 */
package org.sparkgrid.core.capacity;
