package org.sparkgrid.jobs.store;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.federation.round.RoundState;
import org.sparkgrid.federation.round.RoundStateBinary;
import org.sparkgrid.jobs.tree.FederationRunner;

/**
 * For {@link CheckpointWriterTest}'s kill test, in a JVM of its own: {@code <storeRoot> <job>}
 * writes checkpoint 1 of {@link #state(int)} whole through a {@link CheckpointWriter}, then starts
 * checkpoint 2, writes half of its bytes, prints {@code HALF WRITTEN} and waits to be killed.
 */
public final class CheckpointKillChild {
  private CheckpointKillChild() {}

  /** The state each checkpoint holds: round {@code round}, 1,000 parameters of value {@code round}. */
  static RoundState state(int round) {
    float[] global = new float[1_000];
    java.util.Arrays.fill(global, round);
    return new RoundState(round, global, RoundState.initial(global).strategyState(), java.util.List.of(),
        java.util.Set.of());
  }

  public static void main(String[] args) throws Exception {
    HadoopCheckpointStore store = new HadoopCheckpointStore(args[0], new Configuration());
    try (CheckpointWriter writer = new CheckpointWriter(store)) {
      writer.submit(args[1], 1, Map.of(FederationRunner.STATE_BIN, out -> RoundStateBinary.write(state(1), out)), 3);
      writer.await();
      byte[] second = RoundStateBinary.toBytes(state(2));
      writer.submit(args[1], 2, Map.of(FederationRunner.STATE_BIN, out -> {
        out.write(second, 0, second.length / 2);
        out.flush();
        System.out.println("HALF WRITTEN");
        System.out.flush();
        try {
          Thread.sleep(600_000);
        } catch (InterruptedException e) {
          throw new java.io.IOException(e);
        }
      }), 3);
      writer.await();
    }
  }
}
