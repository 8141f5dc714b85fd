package org.sparkgrid.ingest.auth;

import org.sparkgrid.ingest.jobs.AuditRecord;

/**
 * Who sent a record, as {@link Authorizer#authenticate} found it: a registered requester whose
 * signature checked out, or nobody ({@link #UNSIGNED}, only where signatures are not required).
 *
 * @param account   the signing account, {@code null} if unsigned
 * @param requester its registry entry, {@code null} if unsigned
 */
public record Identity(String account, Requester requester) {

  /** An unsigned record, taken because {@code spark.sparkgrid.auth.required} is false. */
  public static final Identity UNSIGNED = new Identity(null, null);

  /** Whether the record was signed by a registered requester. */
  public boolean signed() {
    return requester != null;
  }

  /** The account as the audit writes it: the account, or {@value AuditRecord#UNSIGNED}. */
  public String auditAccount() {
    return account == null ? AuditRecord.UNSIGNED : account;
  }

  /** The requester's name, {@code null} if unsigned. */
  public String name() {
    return requester == null ? null : requester.name();
  }
}
