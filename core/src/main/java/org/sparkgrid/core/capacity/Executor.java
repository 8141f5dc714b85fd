package org.sparkgrid.core.capacity;

import java.util.Objects;

/**
 * One executor as the capacity match sees it: what it has, not what is free right now.
 *
 * @param id       the executor id, for messages
 * @param host     its host, for messages
 * @param cores    CPU cores (task slots times {@code spark.task.cpus})
 * @param memoryMb heap in MiB
 * @param gpus     GPU addresses it was given
 */
public record Executor(String id, String host, int cores, long memoryMb, int gpus) {
  public Executor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    if (cores < 0 || memoryMb < 0 || gpus < 0) {
      throw new IllegalArgumentException("executor " + id + ": cores, memoryMb and gpus must be >= 0, got "
          + cores + ", " + memoryMb + ", " + gpus);
    }
  }
}
