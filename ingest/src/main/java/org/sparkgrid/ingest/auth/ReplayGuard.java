package org.sparkgrid.ingest.auth;

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
}
