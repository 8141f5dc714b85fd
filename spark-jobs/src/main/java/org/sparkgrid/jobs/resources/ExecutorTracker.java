package org.sparkgrid.jobs.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerApplicationStart;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.cluster.ExecutorInfo;
import org.sparkgrid.core.capacity.Executor;

/**
 * The executors of one Spark application and what each has (cores, GPUs), learnt from Spark's
 * listener events. Spark's public status API does not say how many cores or GPUs an executor has;
 * the {@code SparkListenerExecutorAdded} event does.
 *
 * <p>Registered through {@code spark.extraListeners} (which {@link org.sparkgrid.jobs.resources.SparkContexts#conf}
 * sets), so that it exists before the first executor registers and misses none; Spark constructs it
 * with the application's configuration. Find it with {@link #of}.
 */
public final class ExecutorTracker extends SparkListener {

  private static final Map<String, ExecutorTracker> BY_APPLICATION = new ConcurrentHashMap<>();

  private final String applicationId;
  private final long executorMemoryMb;
  private final Map<String, ExecutorInfo> executors = new ConcurrentHashMap<>();

  /** Called by Spark when the context starts (the configuration holds {@code spark.app.id} by then). */
  public ExecutorTracker(SparkConf conf) {
    this.applicationId = conf.get("spark.app.id", "");
    this.executorMemoryMb = conf.getSizeAsMb("spark.executor.memory", "1g");
    if (!applicationId.isEmpty()) {
      BY_APPLICATION.put(applicationId, this);
    }
  }

  /**
   * The tracker of a running context.
   *
   * @throws IllegalStateException if the context was started without it in {@code spark.extraListeners}
   */
  public static ExecutorTracker of(JavaSparkContext sc) {
    ExecutorTracker t = BY_APPLICATION.get(sc.sc().applicationId());
    if (t == null) {
      throw new IllegalStateException("this Spark context does not track its executors: start it with"
          + " SparkContexts.conf(...) or add " + ExecutorTracker.class.getName() + " to spark.extraListeners");
    }
    return t;
  }

  /**
   * The executors registered now, in Spark's default resource profile (the only executors there
   * are without dynamic allocation), with the heap of {@code spark.executor.memory}.
   */
  public List<Executor> executors() {
    List<Executor> out = new ArrayList<>();
    executors.forEach((id, info) -> {
      if (info.resourceProfileId() == ResourceProfile.DEFAULT_RESOURCE_PROFILE_ID()) {
        out.add(new Executor(id, info.executorHost(), info.totalCores(), executorMemoryMb, gpus(info)));
      }
    });
    out.sort((a, b) -> a.id().compareTo(b.id()));
    return out;
  }

  @Override
  public void onExecutorAdded(SparkListenerExecutorAdded event) {
    executors.put(event.executorId(), event.executorInfo());
  }

  @Override
  public void onExecutorRemoved(SparkListenerExecutorRemoved event) {
    executors.remove(event.executorId());
  }

  @Override
  public void onApplicationStart(SparkListenerApplicationStart event) {
    if (event.appId().isDefined()) {
      BY_APPLICATION.putIfAbsent(event.appId().get(), this);
    }
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd event) {
    BY_APPLICATION.values().removeIf(t -> t == this);
  }

  private static int gpus(ExecutorInfo info) {
    scala.Option<ResourceInformation> gpu = info.resourcesInfo().get("gpu");
    return gpu.isDefined() ? gpu.get().addresses().length : 0;
  }
}
