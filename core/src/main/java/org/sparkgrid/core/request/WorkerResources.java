package org.sparkgrid.core.request;

/**
 * What each worker of a job needs from the executor it runs in: a request's
 * {@code engine.resources}. A job runs only on executors that can hold it, and waits (queued, with
 * an event naming the unmet resource) while none can.
 *
 * <pre>{@code
 * "engine": {"workers": 2, "resources": {"cores": 4, "memoryMb": 8192, "gpus": 1}}
 * }</pre>
 *
 * @param cores    CPU cores each worker's Spark task takes, 1..1024; {@code null}: {@code spark.task.cpus}
 * @param memoryMb heap the executor a worker runs in must have, in MiB, 1..16777216; {@code null}: any.
 *                 Spark does not divide an executor's heap between its tasks: to give a worker a whole
 *                 executor's memory, ask for all its cores too
 * @param gpus     GPUs each worker takes, 0..64 (default 0); a worker with a GPU trains on it
 */
public record WorkerResources(Integer cores, Integer memoryMb, int gpus) {

  /** The cores a worker takes, given the cluster's {@code spark.task.cpus}. */
  public int coresOr(int taskCpus) {
    return cores != null ? cores : taskCpus;
  }
}
