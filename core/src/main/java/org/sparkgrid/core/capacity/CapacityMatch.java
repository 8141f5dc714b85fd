package org.sparkgrid.core.capacity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a job's workers fit on the executors a cluster has, and if not, which resource is short:
 * the capacity matching of the GPU market SparkGrid replaces, as arithmetic.
 *
 * <p>A worker fits on an executor when the executor has at least {@link Need#memoryMb} of heap;
 * it then holds {@code min(cores / coresPerWorker, gpus / gpusPerWorker)} such workers at once (the
 * GPU term only when workers take GPUs). All workers of a job train at the same time, so the job
 * fits when the executors together hold {@link Need#workers} of them.
 *
 * <pre>{@code
 * Need need = new Need(2, 2, 4096L, 1);                     // 2 workers of 2 cores, 4 GiB, 1 GPU
 * Match m = CapacityMatch.match(List.of(
 *     new Executor("1", "gpu-a", 4, 8192, 1), new Executor("2", "cpu-b", 8, 16384, 0)), need);
 * m.fits();      // false: one worker fits on gpu-a, none on cpu-b
 * m.reason();    // "slots: engine.workers is 2 and all of them train at once, but the executors can run only 1 ..."
 * }</pre>
 */
public final class CapacityMatch {

  private CapacityMatch() {}

  /**
   * What each worker of a job needs, with defaults already resolved.
   *
   * @param workers        workers that must run at once, >= 1
   * @param coresPerWorker CPU cores per worker, >= 1
   * @param memoryMb       executor heap a worker needs, in MiB; {@code null}: any
   * @param gpusPerWorker  GPUs per worker, >= 0
   */
  public record Need(int workers, int coresPerWorker, Long memoryMb, int gpusPerWorker) {
    public Need {
      if (workers < 1 || coresPerWorker < 1 || gpusPerWorker < 0 || (memoryMb != null && memoryMb < 1)) {
        throw new IllegalArgumentException("need: workers and coresPerWorker must be >= 1, gpusPerWorker >= 0,"
            + " memoryMb >= 1 or null; got " + workers + ", " + coresPerWorker + ", " + gpusPerWorker + ", " + memoryMb);
      }
    }

    /** E.g. {@code 2 cores, 4096 MiB, 1 GPU}: what one worker takes. */
    public String perWorker() {
      StringBuilder s = new StringBuilder().append(coresPerWorker).append(coresPerWorker == 1 ? " core" : " cores");
      if (memoryMb != null) {
        s.append(", ").append(memoryMb).append(" MiB");
      }
      if (gpusPerWorker > 0) {
        s.append(", ").append(gpusPerWorker).append(gpusPerWorker == 1 ? " GPU" : " GPUs");
      }
      return s.toString();
    }
  }

  /**
   * The outcome of a match.
   *
   * @param slots   workers the executors can run at once
   * @param need    what was asked
   * @param reason  empty when the job fits, else what is short, naming the resource
   */
  public record Match(int slots, Need need, Optional<String> reason) {
    /** Whether every worker can run at once. */
    public boolean fits() {
      return reason.isEmpty();
    }
  }

  /** Workers of {@code need} that one executor holds at once. */
  public static int slots(Executor e, Need need) {
    if (need.memoryMb() != null && e.memoryMb() < need.memoryMb()) {
      return 0;
    }
    int byCores = e.cores() / need.coresPerWorker();
    int byGpus = need.gpusPerWorker() == 0 ? Integer.MAX_VALUE : e.gpus() / need.gpusPerWorker();
    return Math.min(byCores, byGpus);
  }

  /**
   * Matches {@code need} against {@code executors}. The reason, when the job does not fit, names
   * the first resource that no single executor has enough of (cores, memory, GPUs, in that order),
   * with what the largest executor has; when every resource alone is met somewhere but not enough
   * workers fit at once, it says how many do.
   */
  public static Match match(List<Executor> executors, Need need) {
    Objects.requireNonNull(executors, "executors");
    Objects.requireNonNull(need, "need");
    long total = 0;
    for (Executor e : executors) {
      total += slots(e, need);
    }
    int slots = (int) Math.min(Integer.MAX_VALUE, total);
    if (slots >= need.workers()) {
      return new Match(slots, need, Optional.empty());
    }
    return new Match(slots, need, Optional.of(shortfall(executors, need, slots)));
  }

  private static String shortfall(List<Executor> executors, Need need, int slots) {
    String each = "each of the " + need.workers() + " workers needs " + need.perWorker();
    if (executors.isEmpty()) {
      return "no executor has registered yet; " + each;
    }
    Executor mostCores = max(executors, Comparator.comparingInt(Executor::cores));
    if (mostCores.cores() < need.coresPerWorker()) {
      return "cores: " + each + ", but the largest executor has " + plural(mostCores.cores(), "core")
          + " (executor " + mostCores.id() + " on " + mostCores.host() + ")" + among(executors);
    }
    if (need.memoryMb() != null) {
      Executor mostMemory = max(executors, Comparator.comparingLong(Executor::memoryMb));
      if (mostMemory.memoryMb() < need.memoryMb()) {
        return "memoryMb: " + each + ", but the largest executor has " + mostMemory.memoryMb() + " MiB (executor "
            + mostMemory.id() + " on " + mostMemory.host() + ")" + among(executors);
      }
    }
    if (need.gpusPerWorker() > 0) {
      Executor mostGpus = max(executors, Comparator.comparingInt(Executor::gpus));
      if (mostGpus.gpus() < need.gpusPerWorker()) {
        return "gpus: " + each + ", but " + (mostGpus.gpus() == 0 ? "no executor has a GPU"
            : "the most any executor has is " + mostGpus.gpus() + " (executor " + mostGpus.id() + " on "
                + mostGpus.host() + ")") + among(executors);
      }
    }
    List<String> fitting = new ArrayList<>();
    for (Executor e : executors) {
      int n = slots(e, need);
      if (n > 0) {
        fitting.add("executor " + e.id() + " on " + e.host() + ": " + n);
      }
    }
    return "slots: engine.workers is " + need.workers() + " and all of them train at once, but the executors can run"
        + " only " + plural(slots, "such worker") + " at once (" + each
        + (fitting.isEmpty() ? "; no single executor has all of it" : "; " + String.join(", ", fitting)) + ")";
  }

  private static Executor max(List<Executor> executors, Comparator<Executor> by) {
    return executors.stream().max(by).orElseThrow();
  }

  private static String among(List<Executor> executors) {
    return " among " + plural(executors.size(), "executor");
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }
}
