/**
 * The service's metrics: {@link org.sparkgrid.jobs.service.metrics.SparkGridMetric} declares each one
 * (name, type, label, help); {@link org.sparkgrid.jobs.service.metrics.ServiceMetrics} records them with
 * the JVM's in Micrometer and serves {@code GET /metrics} in the Prometheus text format;
 * {@link org.sparkgrid.jobs.service.metrics.SparkMetricsSource} hands them to Spark's metrics system.
 * Start with {@code ServiceMetrics}; docs/metrics.md lists every metric.
 */
package org.sparkgrid.jobs.service.metrics;
