/**
 * Configuration: every {@code spark.sparkgrid.*} key declared once, with type, default, check and
 * doc, so that {@code spark-submit --conf} and {@code spark-defaults.conf} configure SparkGrid.
 *
 * <p>Start with {@link org.sparkgrid.core.config.SparkGridConfig}: its constants are the keys,
 * {@code from(props)} reads a configuration and {@code get(key)} a value.
 * {@link org.sparkgrid.core.config.ConfigKey} and {@link org.sparkgrid.core.config.Validator}
 * declare a key; {@link org.sparkgrid.core.config.ConfigReference} prints the reference table.
 */
package org.sparkgrid.core.config;
