package org.sparkgrid.ingest.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.sparkgrid.ingest.jobs.JobStore;

/**
 * Remembers the nonces each account signed with, so that a signed record sent again is refused.
 * The service's is the job store ({@code JobStore#useNonce}), shared by every instance on it.
 */
@FunctionalInterface
public interface ReplayGuard {

  /**
   * Records that {@code account} used {@code nonce} for the record read at {@code source}.
   *
   * @return {@code true} the first time (or for the same record read again), {@code false} if the
   *     account used the nonce for another record
   */
  boolean firstUse(String account, String nonce, String source);

  /**
   * {@link #firstUse} for several records at once (a poll's): the answer for each, in order. This
   * default asks {@link #firstUse} for each; {@link #inStore} records a poll's nonces in one
   * transaction.
   */
  default List<Boolean> firstUses(List<JobStore.NonceUse> uses) {
    List<Boolean> out = new ArrayList<>(uses.size());
    for (JobStore.NonceUse u : uses) {
      out.add(firstUse(u.account(), u.nonce(), u.source()));
    }
    return out;
  }

  /**
   * The service's guard: nonces in {@code store} ({@link JobStore#useNonce}, a poll's at once with
   * {@link JobStore#useNonces}), kept for {@code keep}.
   */
  static ReplayGuard inStore(JobStore store, Duration keep) {
    return new ReplayGuard() {
      @Override
      public boolean firstUse(String account, String nonce, String source) {
        return store.useNonce(account, nonce, source, keep);
      }

      @Override
      public List<Boolean> firstUses(List<JobStore.NonceUse> uses) {
        return store.useNonces(uses, keep);
      }
    };
  }
}
