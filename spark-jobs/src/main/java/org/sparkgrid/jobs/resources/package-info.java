/**
 * The Spark cluster a job runs on: its context, GPUs and capacity.
 *
 * <p>{@link org.sparkgrid.jobs.resources.SparkContexts} creates the context every entry point runs
 * in, with the settings the engine relies on; {@link org.sparkgrid.jobs.resources.SparkSecurity}
 * checks and completes Spark's RPC authentication and encryption settings for its master.
 *
 * <p>Driver side: {@link org.sparkgrid.jobs.resources.GpuPreflight} refuses, before Spark starts, a
 * configuration that asks for GPUs it cannot use (local master, CPU build, inconsistent amounts)
 * and, after, stops when no executor with a GPU appears; {@link org.sparkgrid.jobs.resources.CapacityGate}
 * holds a job whose {@code engine.resources} no executor can hold, telling why, and
 * {@link org.sparkgrid.jobs.resources.WorkerProfiles} puts the job's training stage on a Spark
 * resource profile so that it lands only where that capacity is. Both learn the executors from
 * {@link org.sparkgrid.jobs.resources.ExecutorTracker}, a listener that
 * {@link org.sparkgrid.jobs.resources.SparkContexts#conf} registers.
 *
 * <p>Executor side: {@link org.sparkgrid.jobs.resources.GpuDevice#selectForTask()} pins ND4J, on
 * the task's thread, to the GPU Spark assigned the task.
 */
package org.sparkgrid.jobs.resources;
