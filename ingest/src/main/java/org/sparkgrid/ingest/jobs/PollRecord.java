package org.sparkgrid.ingest.jobs;

/**
 * One record of a poll for {@link JobStore#storePoll}: its nonce, what to store when the nonce is
 * new to its account (or was recorded for this very record before), and the verdict to audit
 * instead when it is a replay. Where the nonce is a replay, nothing but {@code replayed} is stored.
 *
 * <pre>{@code
 * new PollRecord(new JobStore.NonceUse(account, nonce, "sparkgrid.requests-0@42"),
 *     new NewJob(request, 0, new RecordSource("sparkgrid.requests", 0, 42), "alice"),
 *     new AuditRecord(now, account, "alice", "request", request.id(), true, null),
 *     new AuditRecord(now, account, null, "request", request.id(), false, "unauthorized: replayed: ..."));
 * }</pre>
 *
 * @param nonce    the signed record's nonce; {@code null} if unsigned (it is then never a replay)
 * @param job      the job to enqueue unless the nonce is a replay; {@code null} if the record is refused
 * @param verdict  the verdict to audit unless the nonce is a replay; {@code null} to audit nothing
 * @param replayed the verdict to audit if the nonce is a replay; {@code null} to audit nothing
 */
public record PollRecord(JobStore.NonceUse nonce, NewJob job, AuditRecord verdict, AuditRecord replayed) {

  /** A record that is not signed (no nonce) and not audited: a job, or {@code null} for a refusal. */
  public static PollRecord unsigned(NewJob job) {
    return new PollRecord(null, job, null, null);
  }

  /** What to audit for this record: {@code replayed} if its nonce was a replay, else {@code verdict}. */
  AuditRecord audited(boolean replay) {
    return replay ? replayed : verdict;
  }
}
