package org.sparkgrid.jobs.resources;

import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.capacity.CapacityMatch;
import org.sparkgrid.core.capacity.Executor;
import org.sparkgrid.core.request.WorkerResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a job until the cluster's executors can run all its workers at once with the resources its
 * request states ({@code engine.resources}), saying why while it waits: the queue-until-a-worker-fits
 * of the GPU market SparkGrid replaces. The match itself is {@link CapacityMatch}; the executors
 * come from {@link ExecutorTracker}.
 *
 * <p>In Spark's local mode the only executor is the driver (its task threads, its heap, no GPU) and
 * none will join, so a job that does not fit fails at once; a GPU request there is refused.
 *
 * <pre>{@code
 * CapacityGate.await(sc, request.engine().resources(), request.engine().workers(), waitTimeoutMs,
 *     reason -> progress.waiting(reason), progress::cancelled);
 * }</pre>
 */
public final class CapacityGate {
  private static final Logger LOG = LoggerFactory.getLogger(CapacityGate.class);
  private static final long POLL_MS = 500;

  private CapacityGate() {}

  /**
   * Returns once the executors can hold the job.
   *
   * @param resources     what each worker needs; {@code null}: returns at once
   * @param workers       workers that must run at once
   * @param waitTimeoutMs longest wait, 0 for no limit
   * @param waiting       told the reason when the job starts waiting, and again whenever it changes
   * @param cancelled     checked between polls; true stops the wait
   * @throws IllegalArgumentException in local mode when the job does not fit, or asks for GPUs
   * @throws IllegalStateException    when the wait times out or the job is cancelled, with the reason
   * @throws InterruptedException     when the thread is interrupted while waiting
   */
  public static void await(JavaSparkContext sc, WorkerResources resources, int workers, long waitTimeoutMs,
      Consumer<String> waiting, BooleanSupplier cancelled) throws InterruptedException {
    if (resources == null) {
      return;
    }
    int taskCpus = sc.getConf().getInt("spark.task.cpus", 1);
    CapacityMatch.Need need = new CapacityMatch.Need(workers, resources.coresOr(taskCpus),
        resources.memoryMb() == null ? null : resources.memoryMb().longValue(), resources.gpus());
    if (GpuPreflight.isLocal(sc.master())) {
      checkLocal(sc.master(), need);
      return;
    }
    ExecutorTracker tracker = ExecutorTracker.of(sc);
    await(tracker::executors, need, waitTimeoutMs, waiting, cancelled);
  }

  static void await(Supplier<List<Executor>> executors, CapacityMatch.Need need, long waitTimeoutMs,
      Consumer<String> waiting, BooleanSupplier cancelled) throws InterruptedException {
    Objects.requireNonNull(waiting, "waiting");
    long deadline = waitTimeoutMs > 0 ? System.nanoTime() + waitTimeoutMs * 1_000_000L : Long.MAX_VALUE;
    String told = null;
    while (true) {
      CapacityMatch.Match m = CapacityMatch.match(executors.get(), need);
      if (m.fits()) {
        if (told != null) {
          LOG.info("capacity for {} worker(s) of {} is there now", need.workers(), need.perWorker());
        }
        return;
      }
      String reason = "waiting for capacity: " + m.reason().orElseThrow();
      if (!reason.equals(told)) {
        LOG.info(reason);
        waiting.accept(reason);
        told = reason;
      }
      if (cancelled.getAsBoolean()) {
        throw new IllegalStateException("cancelled while " + reason);
      }
      if (waitTimeoutMs > 0 && System.nanoTime() >= deadline) {
        throw new IllegalStateException("gave up after " + waitTimeoutMs + " ms (spark.sparkgrid.capacity.waitTimeoutMs) "
            + reason);
      }
      Thread.sleep(POLL_MS);
    }
  }

  /**
   * Local mode: the driver's task threads and heap are all there is.
   *
   * @return the match against the driver, which fits
   * @throws IllegalArgumentException when the job asks for GPUs or does not fit on the driver
   */
  static CapacityMatch.Match checkLocal(String master, CapacityMatch.Need need) {
    if (need.gpusPerWorker() > 0) {
      throw new IllegalArgumentException("engine.resources.gpus is " + need.gpusPerWorker() + " but Spark's local mode"
          + " (master " + master + ") cannot schedule GPUs; run on a cluster master with GPU workers, or set"
          + " engine.resources.gpus to 0 to train on CPU");
    }
    Executor driver = new Executor("driver", "localhost", localThreads(master),
        Runtime.getRuntime().maxMemory() / (1024 * 1024), 0);
    CapacityMatch.Match m = CapacityMatch.match(List.of(driver), need);
    if (!m.fits()) {
      throw new IllegalArgumentException("engine.resources: Spark master " + master + " can never run this job: "
          + m.reason().orElseThrow() + "; use a master with more threads or a larger driver heap, or ask for less");
    }
    return m;
  }

  /** Task threads of a local master: {@code local} 1, {@code local[N]} and {@code local[N,F]} N, {@code local[*]} all cores. */
  static int localThreads(String master) {
    if (master.equals("local")) {
      return 1;
    }
    String inner = master.substring("local[".length(), master.indexOf(']'));
    String n = inner.split(",")[0].strip();
    return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
  }
}
