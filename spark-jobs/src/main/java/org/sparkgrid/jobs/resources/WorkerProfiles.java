package org.sparkgrid.jobs.resources;

import org.apache.spark.SparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfileBuilder;
import org.apache.spark.resource.TaskResourceRequests;
import org.sparkgrid.core.request.WorkerResources;

/**
 * Puts a job's training stage on a Spark resource profile built from its {@code engine.resources},
 * so that Spark schedules each worker's task only where its cores and GPUs are free (stage-level
 * scheduling).
 *
 * <p>The profile is a task profile: {@link TaskResourceRequests} only, no executor requests. That is
 * the kind Spark 3.5 supports with dynamic allocation off, on standalone, YARN and Kubernetes
 * ({@code ResourceProfileManager.isSupported}); profiles with executor requests need dynamic
 * allocation, which barrier-mode stages (the averaging engine's) refuse. Executors keep the sizes the
 * cluster gave them; whether any is big enough is {@link CapacityGate}'s question. Spark's local mode
 * supports no profile at all: there the stage runs as it is, and the gate has checked the driver's
 * own cores and memory.
 *
 * <pre>{@code
 * RDD<TaskReport> stage = WorkerProfiles.apply(sc, shards.rdd().barrier().mapPartitions(...), resources);
 * }</pre>
 */
public final class WorkerProfiles {

  private WorkerProfiles() {}

  /** The task profile of one worker: its cores (or {@code spark.task.cpus}) and its GPUs. */
  public static ResourceProfile profile(WorkerResources resources, int taskCpus) {
    TaskResourceRequests task = new TaskResourceRequests().cpus(resources.coresOr(taskCpus));
    if (resources.gpus() > 0) {
      task.resource(GpuDevice.GPU, resources.gpus());
    }
    return new ResourceProfileBuilder().require(task).build();
  }

  /**
   * {@code rdd} with the profile of {@code resources}: unchanged when {@code resources} is null or
   * the master is local.
   */
  public static <T> RDD<T> apply(SparkContext sc, RDD<T> rdd, WorkerResources resources) {
    if (resources == null || GpuPreflight.isLocal(sc.master())) {
      return rdd;
    }
    return rdd.withResources(profile(resources, sc.getConf().getInt("spark.task.cpus", 1)));
  }
}
