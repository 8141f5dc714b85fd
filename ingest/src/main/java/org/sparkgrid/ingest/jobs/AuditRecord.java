package org.sparkgrid.ingest.jobs;

import java.time.Instant;
import java.util.Objects;

/**
 * One verdict on a request or a control command, as the audit table ({@link JobStore#appendAudit})
 * keeps it: who, what, when, and whether it was obeyed.
 *
 * @param at        when the service decided
 * @param account   the signing account ({@code 0x} and 40 hex digits; the claimed one when the signature
 *                  failed), or {@value #UNSIGNED}
 * @param requester the requester's registry name when the signature checked out and the account is
 *                  registered, else {@code null}
 * @param kind      {@code request}, {@code cancel}, {@code exclude-site} (or the unknown command word)
 * @param jobId     the job it is about (the record's key when the body could not be read); {@code null} if none
 * @param accepted  whether it was accepted (stored, obeyed)
 * @param reason    why it was refused, e.g. {@code unauthorized: unknown account: 0x... is not in the requester
 *                  registry}; {@code null} when accepted
 */
public record AuditRecord(Instant at, String account, String requester, String kind, String jobId, boolean accepted,
    String reason) {

  /** The account of a record that carried no signature. */
  public static final String UNSIGNED = "unsigned";

  public AuditRecord {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(kind, "kind");
  }

  /** {@code accepted} or {@code refused}, as the audit table and {@code bin/sparkgrid audit} write it. */
  public String verdict() {
    return accepted ? "accepted" : "refused";
  }
}
