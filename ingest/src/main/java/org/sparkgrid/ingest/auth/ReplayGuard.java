package org.sparkgrid.ingest.auth;

import java.time.Duration;
import org.sparkgrid.ingest.jobs.JobStore;

/**
 * Remembers the nonces each account signed with, so that a signed record sent again is refused:
 * what {@link Authorizer#authenticate} asks for a control command. The service's is the job store
 * ({@code JobStore#useNonce}), shared by every instance on it; the request consumer writes a poll's
 * request nonces to the same table in the poll's transaction ({@code JobStore#storePoll}).
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
   * The service's guard: nonces in {@code store} ({@link JobStore#useNonce}), kept for {@code keep}.
   * The same table as the request consumer's, which records a poll's nonces with its jobs
   * ({@link JobStore#storePoll}).
   */
  static ReplayGuard inStore(JobStore store, Duration keep) {
    return (account, nonce, source) -> store.useNonce(account, nonce, source, keep);
  }
}
