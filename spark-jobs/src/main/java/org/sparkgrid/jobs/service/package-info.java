/**
 * The request service: start at {@link org.sparkgrid.jobs.service.SparkGridService}, which consumes
 * training requests from Kafka into the job store and runs them on Spark. Below it,
 * {@code RunningJob} (one job's events, phase and watchdog) and {@code PhaseClock} (time per phase
 * against the limits of {@code training.timeouts} and {@code spark.sparkgrid.service.timeout.*}).
 * Keys: {@link org.sparkgrid.jobs.service.ServiceKey} (the service's, which signs every event) and
 * {@link org.sparkgrid.jobs.service.ClientKeys} (a client's requester key and the service account it
 * believes: the CLI and the notebooks).
 */
package org.sparkgrid.jobs.service;
