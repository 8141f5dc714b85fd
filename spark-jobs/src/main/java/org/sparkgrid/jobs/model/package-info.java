/**
 * Networks: from a request's model and training sections to a DL4J {@code MultiLayerNetwork},
 * and between a network and the plain {@code float[]} parameters and updater state that SparkGrid
 * ships between the driver and the executors.
 *
 * <p>Start with {@link org.sparkgrid.jobs.model.NetworkFactory}.
 */
package org.sparkgrid.jobs.model;
