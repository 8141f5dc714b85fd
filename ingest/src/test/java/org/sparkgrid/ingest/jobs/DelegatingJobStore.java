package org.sparkgrid.ingest.jobs;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparkgrid.core.request.TrainingRequest;

/** A JobStore that forwards every call, for tests that make one call fail. */
public class DelegatingJobStore implements JobStore {

  private final JobStore delegate;

  public DelegatingJobStore(JobStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public boolean enqueue(TrainingRequest request, int priority, RecordSource source) {
    return delegate.enqueue(request, priority, source);
  }

  @Override
  public List<EnqueueOutcome> enqueueAll(List<NewJob> batch) {
    return delegate.enqueueAll(batch);
  }

  @Override
  public List<PollResult> storePoll(List<PollRecord> poll, Duration nonceKeep) {
    return delegate.storePoll(poll, nonceKeep);
  }

  @Override
  public Optional<Job> get(String id) {
    return delegate.get(id);
  }

  @Override
  public List<Job> list(JobFilter filter) {
    return delegate.list(filter);
  }

  @Override
  public Map<JobState, Long> countByState() {
    return delegate.countByState();
  }

  @Override
  public String owner() {
    return delegate.owner();
  }

  @Override
  public Duration leaseDuration() {
    return delegate.leaseDuration();
  }

  @Override
  public Optional<Job> claimNext() {
    return delegate.claimNext();
  }

  @Override
  public Set<String> heartbeat(Collection<String> jobIds) {
    return delegate.heartbeat(jobIds);
  }

  @Override
  public Job start(String id) {
    return delegate.start(id);
  }

  @Override
  public Job setPhase(String id, String phase) {
    return delegate.setPhase(id, phase);
  }

  @Override
  public Job succeed(String id, String resultJson) {
    return delegate.succeed(id, resultJson);
  }

  @Override
  public Job fail(String id, String error) {
    return delegate.fail(id, error);
  }

  @Override
  public Job timeOut(String id, String phase) {
    return delegate.timeOut(id, phase);
  }

  @Override
  public Job cancel(String id) {
    return delegate.cancel(id);
  }

  @Override
  public Job requeue(String id) {
    return delegate.requeue(id);
  }

  @Override
  public int recoverAfterRestart() {
    return delegate.recoverAfterRestart();
  }

  @Override
  public long nextEventSeq(String id) {
    return delegate.nextEventSeq(id);
  }

  @Override
  public boolean useNonce(String account, String nonce, String source, Duration keep) {
    return delegate.useNonce(account, nonce, source, keep);
  }

  @Override
  public void appendAudit(List<AuditRecord> records) {
    delegate.appendAudit(records);
  }

  @Override
  public List<AuditRecord> audit(String jobId, int limit) {
    return delegate.audit(jobId, limit);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
