package org.sparkgrid.ingest.jobs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.flywaydb.core.api.FlywayException;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * A {@link JobStore} in one SQL table, {@value #TABLE}, through plain JDBC: an embedded H2 file
 * by default, PostgreSQL, MySQL or MariaDB by URL (their drivers ship with SparkGrid). Opening
 * the store brings its schema to the newest version with Flyway ({@link JobStoreSchema}): a store
 * created by an older SparkGrid is upgraded in place. Timestamps are stored as epoch milliseconds
 * ({@code BIGINT}) and every statement is SQL that H2, PostgreSQL and MySQL all read.
 *
 * <pre>{@code
 * JobStore local = JdbcJobStore.openH2(Path.of(System.getProperty("user.home"), ".sparkgrid", "jobs"));
 * // user from spark.sparkgrid.jobs.user, password from .password, .passwordFile or SPARKGRID_JOBS_PASSWORD
 * JobStore shared = JdbcJobStore.open(config);   // spark.sparkgrid.jobs.jdbcUrl=jdbc:postgresql://db:5432/sparkgrid
 * JobStore explicit = JdbcJobStore.open(JobStoreSettings.of("jdbc:mariadb://db:3306/sparkgrid")
 *     .withLogin("sparkgrid", password).withOwner("service-2"), Clock.systemUTC());
 * }</pre>
 *
 * <p>Claims are compare-and-set {@code UPDATE}s checked by their row count (no
 * {@code SELECT ... FOR UPDATE SKIP LOCKED}, which H2 lacks): a QUEUED job is taken only if it is
 * still QUEUED, an expired one only if it still has the owner and lease expiry that were read,
 * so two processes on one database never both get a job.
 *
 * <p>One connection, used by one thread at a time (the methods are synchronized); it is reopened
 * after a failure. Error texts longer than {@value #MAX_ERROR_CHARS} characters are cut. The
 * password is never part of a message.
 */
public final class JdbcJobStore implements JobStore {

  /** The table's name. */
  public static final String TABLE = "sparkgrid_jobs";

  /** Longest error text stored; longer ones are cut and end with "...". */
  public static final int MAX_ERROR_CHARS = 4000;

  private static final String COLUMNS = "id, request_json, state, priority, attempts, created_at, updated_at,"
      + " started_at, finished_at, error, phase, result_json, source_topic, source_partition, source_offset, event_seq,"
      + " owner_id, heartbeat_at, lease_expires_at, requester";

  private static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, 0, ?, ?, NULL, NULL, NULL, NULL, NULL, ?, ?, ?, ?, NULL, NULL, NULL, ?)";

  /** The replay guard's table: each signer's used nonces ({@link #useNonce}). */
  public static final String NONCES_TABLE = "sparkgrid_nonces";

  /** The audit table: every verdict on a request or command ({@link #appendAudit}). */
  public static final String AUDIT_TABLE = "sparkgrid_audit";

  /** Longest audit reason stored; longer ones are cut and end with "...". */
  public static final int MAX_AUDIT_REASON_CHARS = 1000;

  /** How often, at most, {@link #useNonce} deletes expired nonces. */
  private static final long PRUNE_EVERY_MS = 10_000;

  /** What a claim sets besides the state: a new run under an owner, with a fresh lease. */
  private static final String CLAIM_SET = ", started_at = ?, error = NULL, phase = NULL, owner_id = ?,"
      + " heartbeat_at = ?, lease_expires_at = ?";

  /** Most ids in one {@code IN (...)} list. */
  private static final int IN_LIST_MAX = 500;

  private final String url;
  private final Properties info;
  private final Clock clock;
  private final String owner;
  private final long leaseMillis;
  private Connection connection;
  private boolean closed;
  private long nextPruneMillis = Long.MIN_VALUE;

  private JdbcJobStore(String url, Properties info, Clock clock, String owner, Duration lease) {
    this.url = url;
    this.info = info;
    this.clock = clock;
    this.owner = owner;
    this.leaseMillis = lease.toMillis();
  }

  /**
   * The store in an H2 database file {@code <dir>/jobs.mv.db}, created if missing, owned by
   * {@code <host>:<dir>} ({@link JobStoreSettings#h2}).
   *
   * @throws JobStoreException if the file cannot be opened (another process holds it, say)
   */
  public static JdbcJobStore openH2(Path dir) {
    return open(JobStoreSettings.h2(dir), Clock.systemUTC());
  }

  /**
   * The store of {@code spark.sparkgrid.jobs.*} ({@link JobStoreSettings#fromConfig}): the
   * database of {@code jobs.jdbcUrl} (an H2 file under the home when empty), with the user and
   * password configured, in a file or in the environment.
   *
   * @throws IllegalArgumentException if the password settings conflict or the password file cannot be read
   * @throws JobStoreException        if the database cannot be reached or its schema migrated
   */
  public static JdbcJobStore open(SparkGridConfig config) {
    return open(JobStoreSettings.fromConfig(config, System.getenv()), Clock.systemUTC());
  }

  /**
   * The store these settings name.
   *
   * @param clock the time stamped on jobs and leases
   * @throws JobStoreException if the database cannot be reached or its schema migrated
   */
  public static JdbcJobStore open(JobStoreSettings settings, Clock clock) {
    return open(settings.jdbcUrl(), settings.driverProperties(), clock, settings.owner(), settings.lease());
  }

  /** The JDBC URL of the H2 file {@link #openH2} opens. */
  public static String h2Url(Path dir) {
    // AUTO_SERVER: the CLI (jobs, job) can read the store while the service holds it open.
    // WRITE_DELAY=0: each commit reaches the file before it returns; H2's default (500 ms) loses
    // the last commits of a process killed with SIGKILL, e.g. a request whose offset was committed
    return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("jobs") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
  }

  /**
   * The store in any database by JDBC URL, without credentials, owned by this host.
   *
   * @throws JobStoreException if the database cannot be reached or its schema migrated
   */
  public static JdbcJobStore open(String jdbcUrl) {
    return open(JobStoreSettings.of(jdbcUrl), Clock.systemUTC());
  }

  /**
   * The store in any database by JDBC URL, owned by this host, with the default lease.
   *
   * @param info  driver properties, e.g. {@code user} and {@code password}
   * @param clock the time stamped on jobs
   * @throws JobStoreException if the database cannot be reached or its schema migrated
   */
  public static JdbcJobStore open(String jdbcUrl, Properties info, Clock clock) {
    return open(jdbcUrl, info, clock, JobStoreSettings.defaultOwner(null), JobStoreSettings.defaultLease());
  }

  private static JdbcJobStore open(String jdbcUrl, Properties info, Clock clock, String owner, Duration lease) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    JdbcJobStore store = new JdbcJobStore(jdbcUrl, (Properties) info.clone(), Objects.requireNonNull(clock, "clock"),
        Objects.requireNonNull(owner, "owner"), Objects.requireNonNull(lease, "lease"));
    store.migrateSchema();
    return store;
  }

  private void migrateSchema() {
    try {
      JobStoreSchema.migrate(url, info);
    } catch (SQLException | FlywayException e) {
      throw new JobStoreException("job store " + redact(url) + ": cannot migrate the schema: " + e.getMessage(), e);
    }
  }

  @Override
  public String owner() {
    return owner;
  }

  @Override
  public Duration leaseDuration() {
    return Duration.ofMillis(leaseMillis);
  }

  @Override
  public synchronized boolean enqueue(TrainingRequest request, int priority, RecordSource source) {
    NewJob job = new NewJob(request, priority, source);
    String json = canonicalJson(request);
    return run(c -> {
      try (PreparedStatement st = c.prepareStatement(INSERT)) {
        bindInsert(st, job, json, 0);
        st.executeUpdate();
        return true;
      } catch (SQLException e) {
        // SQL state class 23 is an integrity violation: here, the primary key (H2 and PostgreSQL
        // say 23505, MySQL 23000). Anything else, or a 23 without the row, is a real failure.
        if (e.getSQLState() != null && e.getSQLState().startsWith("23") && find(c, request.id()).isPresent()) {
          return false;
        }
        throw e;
      }
    }, "enqueue " + request.id());
  }

  /**
   * {@inheritDoc}
   *
   * <p>One transaction: a {@code SELECT ... FOR UPDATE} of the batch's ids that exist (locking
   * them while their event numbers move), one batched {@code INSERT} of the new ones, an
   * {@code UPDATE} of the event number of each existing one that had duplicates; plain SQL that
   * H2, PostgreSQL and MySQL all read. The inserts never clash with a row this store holds, so no
   * key violation aborts the transaction (PostgreSQL would abort it). If another process inserts
   * one of the ids between the select and the insert, the insert fails, nothing is stored and
   * the caller's retry sees that job as a duplicate.
   */
  @Override
  public synchronized List<EnqueueOutcome> enqueueAll(List<NewJob> batch) {
    Objects.requireNonNull(batch, "batch");
    if (batch.isEmpty()) {
      return List.of();
    }
    List<String> jsons = batch.stream().map(j -> canonicalJson(j.request())).toList();
    return run(c -> inTransaction(c, () -> enqueueIn(c, batch, jsons)), "enqueue a batch of " + batch.size());
  }

  /**
   * {@link #enqueueAll}'s work inside the caller's transaction.
   *
   * @param jsons each job's canonical request JSON, made before the transaction
   */
  private List<EnqueueOutcome> enqueueIn(Connection c, List<NewJob> batch, List<String> jsons) throws SQLException {
    Set<String> ids = new LinkedHashSet<>();
    for (NewJob job : batch) {
      ids.add(job.request().id());
    }
    Map<String, Known> known = lockExisting(c, ids);
    Set<String> stored = new HashSet<>(known.keySet());
    List<EnqueueOutcome> outcomes = new ArrayList<>(batch.size());
    List<Integer> fresh = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      String id = batch.get(i).request().id();
      Known k = known.get(id);
      if (k == null) {
        known.put(id, new Known(JobState.QUEUED, jsons.get(i), 1));
        outcomes.add(new EnqueueOutcome.Queued(1));
        fresh.add(i);
      } else {
        k.seq++;
        outcomes.add(new EnqueueOutcome.Duplicate(k.state, k.json.equals(jsons.get(i)), k.seq));
      }
    }
    if (!fresh.isEmpty()) {
      try (PreparedStatement st = c.prepareStatement(INSERT)) {
        for (int i : fresh) {
          bindInsert(st, batch.get(i), jsons.get(i), known.get(batch.get(i).request().id()).seq);
          st.addBatch();
        }
        st.executeBatch();
      }
    }
    try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET event_seq = ? WHERE id = ?")) {
      boolean any = false;
      for (String id : stored) {
        Known k = known.get(id);
        if (k.seq != k.storedSeq) {
          st.setLong(1, k.seq);
          st.setString(2, id);
          st.addBatch();
          any = true;
        }
      }
      if (any) {
        st.executeBatch();
      }
    }
    return outcomes;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One transaction, one commit: the poll's nonces already recorded are read ({@link #useNonces}),
   * the new ones inserted in one batch, the verdicts in one batch, then the jobs as
   * {@link #enqueueAll} stores them. Two instances recording the same nonce at once cannot both
   * succeed: the nonce table's primary key refuses the second insert, whose whole poll then fails
   * (nothing stored), is read again and finds the nonce.
   */
  @Override
  public synchronized List<PollResult> storePoll(List<PollRecord> poll, Duration nonceKeep) {
    Objects.requireNonNull(poll, "poll");
    if (poll.isEmpty()) {
      return List.of();
    }
    List<NonceUse> uses = poll.stream().map(PollRecord::nonce).filter(Objects::nonNull).toList();
    List<NewJob> jobsIfFresh = new ArrayList<>();
    List<String> jsonsIfFresh = new ArrayList<>();
    for (PollRecord r : poll) {
      if (r.job() != null) {
        jobsIfFresh.add(r.job());
        jsonsIfFresh.add(canonicalJson(r.job().request()));
      }
    }
    return run(c -> inTransaction(c, () -> {
      long now = clock.millis();
      if (!uses.isEmpty()) {
        pruneNonces(c, now, nonceKeep);
      }
      List<Boolean> fresh = recordNonces(c, uses, now);
      List<Boolean> replays = new ArrayList<>(poll.size());
      List<AuditRecord> audit = new ArrayList<>(poll.size());
      List<NewJob> jobs = new ArrayList<>();
      List<String> jsons = new ArrayList<>();
      int u = 0;
      int j = 0;
      for (PollRecord r : poll) {
        boolean replay = r.nonce() != null && !fresh.get(u++);
        replays.add(replay);
        if (r.audited(replay) != null) {
          audit.add(r.audited(replay));
        }
        if (r.job() != null) {
          if (!replay) {
            jobs.add(r.job());
            jsons.add(jsonsIfFresh.get(j));
          }
          j++;
        }
      }
      insertAudit(c, audit);
      Iterator<EnqueueOutcome> outcomes = jobs.isEmpty() ? Collections.emptyIterator()
          : enqueueIn(c, jobs, jsons).iterator();
      List<PollResult> out = new ArrayList<>(poll.size());
      for (int i = 0; i < poll.size(); i++) {
        out.add(replays.get(i) ? PollResult.REPLAYED
            : poll.get(i).job() == null ? PollResult.NO_JOB : new PollResult(false, outcomes.next()));
      }
      return out;
    }), "store a poll of " + poll.size() + " records");
  }

  /** A job's state, request and event number as the batch sees them. */
  private static final class Known {
    final JobState state;
    final String json;
    final long storedSeq;
    long seq;

    Known(JobState state, String json, long seq) {
      this.state = state;
      this.json = json;
      this.storedSeq = seq;
      this.seq = seq;
    }
  }

  /** The jobs among {@code ids} that exist, locked until the transaction ends. */
  private static Map<String, Known> lockExisting(Connection c, Set<String> ids) throws SQLException {
    Map<String, Known> known = new HashMap<>();
    List<String> all = new ArrayList<>(ids);
    for (int from = 0; from < all.size(); from += IN_LIST_MAX) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_LIST_MAX));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement st = c.prepareStatement("SELECT id, state, request_json, event_seq FROM " + TABLE
          + " WHERE id IN (" + marks + ") FOR UPDATE")) {
        for (int i = 0; i < chunk.size(); i++) {
          st.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            known.put(rs.getString(1), new Known(JobState.valueOf(rs.getString(2)), rs.getString(3), rs.getLong(4)));
          }
        }
      }
    }
    return known;
  }

  private static String canonicalJson(TrainingRequest request) {
    return new String(RequestCodec.write(Objects.requireNonNull(request, "request")), StandardCharsets.UTF_8);
  }

  /** Binds the parameters of {@link #INSERT}: a QUEUED job created now. */
  private void bindInsert(PreparedStatement st, NewJob job, String json, long eventSeq) throws SQLException {
    long now = clock.millis();
    st.setString(1, job.request().id());
    st.setString(2, json);
    st.setString(3, JobState.QUEUED.name());
    st.setInt(4, job.priority());
    st.setLong(5, now);
    st.setLong(6, now);
    RecordSource source = job.source();
    if (source == null) {
      st.setNull(7, Types.VARCHAR);
      st.setNull(8, Types.INTEGER);
      st.setNull(9, Types.BIGINT);
    } else {
      st.setString(7, source.topic());
      st.setInt(8, source.partition());
      st.setLong(9, source.offset());
    }
    st.setLong(10, eventSeq);
    if (job.requester() == null) {
      st.setNull(11, Types.VARCHAR);
    } else {
      st.setString(11, job.requester());
    }
  }

  @Override
  public synchronized Optional<Job> get(String id) {
    return run(c -> find(c, id), "get " + id);
  }

  @Override
  public synchronized Map<JobState, Long> countByState() {
    return run(c -> {
      Map<JobState, Long> counts = new EnumMap<>(JobState.class);
      for (JobState s : JobState.values()) {
        counts.put(s, 0L);
      }
      try (PreparedStatement st = c.prepareStatement("SELECT state, COUNT(*) FROM " + TABLE + " GROUP BY state");
          ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          counts.put(JobState.valueOf(rs.getString(1)), rs.getLong(2));
        }
      }
      return counts;
    }, "count jobs by state");
  }

  @Override
  public synchronized List<Job> list(JobFilter filter) {
    String states = filter.states().stream().map(s -> "'" + s.name() + "'").sorted().collect(Collectors.joining(", "));
    return run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE
          + " WHERE state IN (" + states + ") ORDER BY created_at, id LIMIT " + filter.limit())) {
        return readAll(st);
      }
    }, "list");
  }

  @Override
  public synchronized Optional<Job> claimNext() {
    return run(c -> {
      while (true) {
        long now = clock.millis();
        Job next;
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE
            + " WHERE state = 'QUEUED' OR (state = 'RUNNING' AND lease_expires_at < ? AND owner_id <> ?)"
            + " ORDER BY priority DESC, created_at, id LIMIT 1")) {
          st.setLong(1, now);
          st.setString(2, owner);
          List<Job> found = readAll(st);
          if (found.isEmpty()) {
            return Optional.<Job>empty();
          }
          next = found.get(0);
        }
        if (next.state() == JobState.QUEUED) {
          if (update(c, next, JobState.RUNNING, now, CLAIM_SET, now, owner, now, now + leaseMillis)) {
            return find(c, next.id());
          }
        } else if (takeOver(c, next, now)) {
          return find(c, next.id());
        }
        // another claimer won this one, or its owner sent a heartbeat: look again
      }
    }, "claim next job");
  }

  /** Takes over a RUNNING job whose lease expired, if it still has the owner and expiry it was read with. */
  private boolean takeOver(Connection c, Job expired, long now) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET updated_at = ?, attempts = attempts + 1"
        + CLAIM_SET + " WHERE id = ? AND state = 'RUNNING' AND owner_id = ? AND lease_expires_at = ?")) {
      int i = 1;
      st.setLong(i++, now);
      st.setLong(i++, now);
      st.setString(i++, owner);
      st.setLong(i++, now);
      st.setLong(i++, now + leaseMillis);
      st.setString(i++, expired.id());
      st.setString(i++, expired.owner());
      st.setLong(i, expired.leaseExpiresAt().toEpochMilli());
      return st.executeUpdate() == 1;
    }
  }

  @Override
  public synchronized Set<String> heartbeat(Collection<String> jobIds) {
    List<String> ids = List.copyOf(new LinkedHashSet<>(jobIds));
    if (ids.isEmpty()) {
      return Set.of();
    }
    return run(c -> {
      long now = clock.millis();
      Set<String> held = new HashSet<>();
      for (int from = 0; from < ids.size(); from += IN_LIST_MAX) {
        List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_MAX));
        String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
        try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET heartbeat_at = ?, lease_expires_at = ?"
            + " WHERE state = 'RUNNING' AND owner_id = ? AND id IN (" + marks + ")")) {
          st.setLong(1, now);
          st.setLong(2, now + leaseMillis);
          st.setString(3, owner);
          for (int k = 0; k < chunk.size(); k++) {
            st.setString(4 + k, chunk.get(k));
          }
          st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM " + TABLE
            + " WHERE state = 'RUNNING' AND owner_id = ? AND id IN (" + marks + ")")) {
          st.setString(1, owner);
          for (int k = 0; k < chunk.size(); k++) {
            st.setString(2 + k, chunk.get(k));
          }
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              held.add(rs.getString(1));
            }
          }
        }
      }
      Set<String> inOrder = new LinkedHashSet<>();
      for (String id : ids) {
        if (held.contains(id)) {
          inOrder.add(id);
        }
      }
      return Collections.unmodifiableSet(inOrder);
    }, "heartbeat " + ids.size() + " jobs");
  }

  @Override
  public synchronized Job start(String id) {
    long now = clock.millis();
    return move(id, JobState.RUNNING, CLAIM_SET, now, owner, now, now + leaseMillis);
  }

  @Override
  public synchronized Job setPhase(String id, String phase) {
    return run(c -> {
      Job job = find(c, id).orElseThrow(() -> noSuchJob(id));
      if (job.state().terminal()) {
        throw new IllegalStateException("job " + id + ": cannot set phase " + phase + ", it is " + job.state());
      }
      checkOwner(job, "set phase " + phase);
      long now = clock.millis();
      boolean changed = job.state() == JobState.RUNNING
          ? update(c, job, job.state(), now, ", phase = ?, heartbeat_at = ?, lease_expires_at = ?", phase, now,
              now + leaseMillis)
          : update(c, job, job.state(), now, ", phase = ?", phase);
      if (!changed) {
        return setPhase(id, phase); // changed meanwhile: check again
      }
      return find(c, id).orElseThrow();
    }, "set phase of " + id);
  }

  @Override
  public synchronized Job succeed(String id, String resultJson) {
    long now = clock.millis();
    return move(id, JobState.SUCCEEDED, ", finished_at = ?, result_json = ?", now, resultJson);
  }

  @Override
  public synchronized Job fail(String id, String error) {
    long now = clock.millis();
    return move(id, JobState.FAILED, ", finished_at = ?, error = ?", now, cut(error));
  }

  @Override
  public synchronized Job timeOut(String id, String phase) {
    long now = clock.millis();
    return move(id, JobState.TIMED_OUT, ", finished_at = ?, phase = ?, error = ?", now, phase,
        "timed out in phase " + phase);
  }

  @Override
  public synchronized Job cancel(String id) {
    Job before = get(id).orElseThrow(() -> noSuchJob(id));
    move(id, JobState.CANCELLED, ", finished_at = ?", clock.millis());
    return before;
  }

  @Override
  public synchronized Job requeue(String id) {
    return move(id, JobState.QUEUED, ", attempts = attempts + 1, phase = NULL");
  }

  @Override
  public synchronized int recoverAfterRestart() {
    return run(c -> {
      try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET state = 'QUEUED', attempts = attempts + 1,"
          + " phase = NULL, owner_id = NULL, heartbeat_at = NULL, lease_expires_at = NULL, updated_at = ?"
          + " WHERE state = 'RUNNING' AND (owner_id = ? OR owner_id IS NULL)")) {
        st.setLong(1, clock.millis());
        st.setString(2, owner);
        return st.executeUpdate();
      }
    }, "recover after restart");
  }

  @Override
  public synchronized long nextEventSeq(String id) {
    return run(c -> inTransaction(c, () -> {
      try (PreparedStatement up = c.prepareStatement("UPDATE " + TABLE + " SET event_seq = event_seq + 1 WHERE id = ?")) {
        up.setString(1, id);
        if (up.executeUpdate() == 0) {
          throw noSuchJob(id);
        }
      }
      try (PreparedStatement st = c.prepareStatement("SELECT event_seq FROM " + TABLE + " WHERE id = ?")) {
        st.setString(1, id);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          return rs.getLong(1);
        }
      }
    }), "next event sequence of " + id);
  }

  @Override
  public synchronized boolean useNonce(String account, String nonce, String source, Duration keep) {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(nonce, "nonce");
    return run(c -> {
      long now = clock.millis();
      pruneNonces(c, now, keep);
      try (PreparedStatement st = c.prepareStatement("INSERT INTO " + NONCES_TABLE
          + " (account, nonce, seen_at, source) VALUES (?, ?, ?, ?)")) {
        st.setString(1, account);
        st.setString(2, nonce);
        st.setLong(3, now);
        st.setString(4, source);
        st.executeUpdate();
        return true;
      } catch (SQLException e) {
        if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
          throw e;
        }
      }
      // used before: a replay, unless it is the same record read again
      try (PreparedStatement st = c.prepareStatement("SELECT source FROM " + NONCES_TABLE
          + " WHERE account = ? AND nonce = ?")) {
        st.setString(1, account);
        st.setString(2, nonce);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() && source != null && source.equals(rs.getString(1));
        }
      }
    }, "record a nonce of " + account);
  }

  /**
   * {@inheritDoc}
   *
   * <p>One transaction: the nonces already recorded for these accounts are read by their primary
   * key ({@value #IN_LIST_MAX} at a time), the new ones inserted in one batch. Two instances recording
   * the same nonce at once cannot both succeed: the table's primary key refuses the second insert,
   * whose whole batch then fails and is read again, and finds the nonce.
   */
  @Override
  public synchronized List<Boolean> useNonces(List<NonceUse> uses, Duration keep) {
    if (uses.isEmpty()) {
      return List.of();
    }
    return run(c -> inTransaction(c, () -> {
      long now = clock.millis();
      pruneNonces(c, now, keep);
      return recordNonces(c, uses, now);
    }), "record " + uses.size() + " nonces");
  }

  /**
   * {@link #useNonces}'s work inside the caller's transaction: which of {@code uses} are first uses
   * (or the same record again), with the new ones inserted, in (account, nonce) order so that two
   * transactions inserting some of the same nonces wait for each other rather than deadlock.
   */
  private static List<Boolean> recordNonces(Connection c, List<NonceUse> uses, long now) throws SQLException {
    if (uses.isEmpty()) {
      return List.of();
    }
    Map<List<String>, String> seen = seenNonces(c, uses); // (account, nonce) -> source
    List<Boolean> out = new ArrayList<>(uses.size());
    List<NonceUse> fresh = new ArrayList<>();
    for (NonceUse u : uses) {
      String before = seen.putIfAbsent(List.of(u.account(), u.nonce()), String.valueOf(u.source()));
      if (before == null) {
        fresh.add(u);
        out.add(true);
      } else {
        out.add(u.source() != null && u.source().equals(before)); // the same record read again
      }
    }
    if (!fresh.isEmpty()) {
      fresh.sort(Comparator.comparing(NonceUse::account).thenComparing(NonceUse::nonce));
      try (PreparedStatement st = c.prepareStatement("INSERT INTO " + NONCES_TABLE
          + " (account, nonce, seen_at, source) VALUES (?, ?, ?, ?)")) {
        for (NonceUse u : fresh) {
          st.setString(1, u.account());
          st.setString(2, u.nonce());
          st.setLong(3, now);
          st.setString(4, u.source());
          st.addBatch();
        }
        st.executeBatch();
      }
    }
    return out;
  }

  /**
   * The sources of those of {@code uses} the table holds already, by (account, nonce): a look-up of
   * the primary key with a row-value {@code IN} list, which H2, PostgreSQL and MariaDB all read
   * through the key's index (a list of nonces alone would scan the table: the key starts with the account).
   */
  private static Map<List<String>, String> seenNonces(Connection c, List<NonceUse> uses) throws SQLException {
    Map<List<String>, String> seen = new HashMap<>();
    for (int from = 0; from < uses.size(); from += IN_LIST_MAX) {
      List<NonceUse> part = uses.subList(from, Math.min(uses.size(), from + IN_LIST_MAX));
      String in = String.join(", ", Collections.nCopies(part.size(), "(?, ?)"));
      try (PreparedStatement st = c.prepareStatement("SELECT account, nonce, source FROM " + NONCES_TABLE
          + " WHERE (account, nonce) IN (" + in + ")")) {
        for (int i = 0; i < part.size(); i++) {
          st.setString(2 * i + 1, part.get(i).account());
          st.setString(2 * i + 2, part.get(i).nonce());
        }
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            seen.put(List.of(rs.getString(1), rs.getString(2)), String.valueOf(rs.getString(3)));
          }
        }
      }
    }
    return seen;
  }

  /** Deletes the nonces first seen more than {@code keep} before {@code now}, at most every {@value #PRUNE_EVERY_MS} ms. */
  private void pruneNonces(Connection c, long now, Duration keep) throws SQLException {
    if (now >= nextPruneMillis) {
      try (PreparedStatement st = c.prepareStatement("DELETE FROM " + NONCES_TABLE + " WHERE seen_at < ?")) {
        st.setLong(1, now - keep.toMillis());
        st.executeUpdate();
      }
      nextPruneMillis = now + PRUNE_EVERY_MS;
    }
  }

  @Override
  public synchronized void appendAudit(List<AuditRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    run(c -> inTransaction(c, () -> {
      insertAudit(c, records);
      return null;
    }), "append " + records.size() + " audit records");
  }

  /** {@link #appendAudit}'s inserts, one batch inside the caller's transaction. */
  private static void insertAudit(Connection c, List<AuditRecord> records) throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    try (PreparedStatement st = c.prepareStatement("INSERT INTO " + AUDIT_TABLE
        + " (at_ms, account, requester, kind, job_id, verdict, reason) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      for (AuditRecord r : records) {
        st.setLong(1, r.at().toEpochMilli());
        st.setString(2, cutTo(r.account(), 128));
        st.setString(3, r.requester());
        st.setString(4, cutTo(r.kind(), 32));
        st.setString(5, cutTo(r.jobId(), 128));
        st.setString(6, r.verdict());
        st.setString(7, cutTo(r.reason(), MAX_AUDIT_REASON_CHARS));
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  @Override
  public synchronized List<AuditRecord> audit(String jobId, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit: must be at least 1, got " + limit);
    }
    return run(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT at_ms, account, requester, kind, job_id, verdict, reason"
          + " FROM " + AUDIT_TABLE + (jobId == null ? "" : " WHERE job_id = ?") + " ORDER BY seq DESC LIMIT " + limit)) {
        if (jobId != null) {
          st.setString(1, jobId);
        }
        List<AuditRecord> newestFirst = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            newestFirst.add(new AuditRecord(Instant.ofEpochMilli(rs.getLong(1)), rs.getString(2), rs.getString(3),
                rs.getString(4), rs.getString(5), "accepted".equals(rs.getString(6)), rs.getString(7)));
          }
        }
        Collections.reverse(newestFirst);
        return newestFirst;
      }
    }, "read the audit");
  }

  @Override
  public synchronized void close() {
    closed = true;
    dropConnection();
  }

  // ---- implementation

  @FunctionalInterface
  private interface SqlWork<T> {
    T apply(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface SqlStep<T> {
    T apply() throws SQLException;
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  private <T> T inTransaction(Connection c, SqlStep<T> work) throws SQLException {
    c.setAutoCommit(false);
    try {
      T result = work.apply();
      c.commit();
      c.setAutoCommit(true);
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
        c.setAutoCommit(true);
      } catch (SQLException r) {
        e.addSuppressed(r);
        dropConnection(); // in an unknown state: the next call opens a new one
      }
      throw e;
    }
  }

  private <T> T run(SqlWork<T> work, String what) {
    if (closed) {
      throw new IllegalStateException("job store is closed");
    }
    try {
      if (connection == null) {
        connection = DriverManager.getConnection(url, info);
      }
      return work.apply(connection);
    } catch (SQLException e) {
      dropConnection(); // reopened by the next call
      throw new JobStoreException("job store " + redact(url) + ": cannot " + what + ": " + e.getMessage(), e);
    }
  }

  /**
   * Moves a job to {@code to} if its current state allows it and, for a RUNNING job, this store
   * owns it (anyone may cancel), setting {@code extraSet} too. Leaving RUNNING ends the lease; a
   * job back in QUEUED has no owner, a finished one keeps the owner that ran it.
   */
  private Job move(String id, JobState to, String extraSet, Object... extraParams) {
    String leaseSet = to == JobState.QUEUED ? ", owner_id = NULL, heartbeat_at = NULL, lease_expires_at = NULL"
        : ", heartbeat_at = NULL, lease_expires_at = NULL";
    return run(c -> {
      while (true) {
        Job job = find(c, id).orElseThrow(() -> noSuchJob(id));
        if (!job.state().canMoveTo(to)) {
          throw new IllegalStateException("job " + id + ": cannot go from " + job.state() + " to " + to);
        }
        if (to != JobState.CANCELLED) {
          checkOwner(job, "go from " + job.state() + " to " + to);
        }
        String set = job.state() == JobState.RUNNING ? extraSet + leaseSet : extraSet;
        if (update(c, job, to, clock.millis(), set, extraParams)) {
          return find(c, id).orElseThrow();
        }
      }
    }, "move " + id + " to " + to);
  }

  /** Refuses a change to a RUNNING job that another owner holds (one without owner predates leases: anyone's). */
  private void checkOwner(Job job, String what) {
    if (job.state() == JobState.RUNNING && job.owner() != null && !job.owner().equals(owner)) {
      throw new NotOwnerException(job.id(), job.owner(), what, owner);
    }
  }

  /**
   * Compare and set: applies the change only if the job is still in the state it was read in
   * and, if RUNNING, still has the owner it was read with.
   */
  private static boolean update(Connection c, Job seen, JobState to, long now, String extraSet, Object... extraParams)
      throws SQLException {
    boolean running = seen.state() == JobState.RUNNING;
    String ownerGuard = !running ? "" : seen.owner() == null ? " AND owner_id IS NULL" : " AND owner_id = ?";
    try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET state = ?, updated_at = ?"
        + extraSet + " WHERE id = ? AND state = ?" + ownerGuard)) {
      int i = 1;
      st.setString(i++, to.name());
      st.setLong(i++, now);
      for (Object p : extraParams) {
        if (p == null) {
          st.setNull(i++, Types.VARCHAR);
        } else if (p instanceof Long l) {
          st.setLong(i++, l);
        } else {
          st.setString(i++, p.toString());
        }
      }
      st.setString(i++, seen.id());
      st.setString(i++, seen.state().name());
      if (running && seen.owner() != null) {
        st.setString(i, seen.owner());
      }
      return st.executeUpdate() == 1;
    }
  }

  private static Optional<Job> find(Connection c, String id) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE id = ?")) {
      st.setString(1, id);
      List<Job> jobs = readAll(st);
      return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }
  }

  private static List<Job> readAll(PreparedStatement st) throws SQLException {
    List<Job> jobs = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        String topic = rs.getString("source_topic");
        RecordSource source = topic == null ? null
            : new RecordSource(topic, rs.getInt("source_partition"), rs.getLong("source_offset"));
        jobs.add(new Job(
            rs.getString("id"),
            rs.getString("request_json"),
            JobState.valueOf(rs.getString("state")),
            rs.getInt("priority"),
            rs.getInt("attempts"),
            instant(rs, "created_at"),
            instant(rs, "updated_at"),
            instant(rs, "started_at"),
            instant(rs, "finished_at"),
            rs.getString("error"),
            rs.getString("phase"),
            rs.getString("result_json"),
            source,
            rs.getLong("event_seq"),
            rs.getString("owner_id"),
            instant(rs, "heartbeat_at"),
            instant(rs, "lease_expires_at"),
            rs.getString("requester")));
      }
    }
    return jobs;
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }

  private static NoSuchElementException noSuchJob(String id) {
    return new NoSuchElementException("no job " + id);
  }

  private static String cutTo(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  private static String cut(String s) {
    return s == null || s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS - 3) + "...";
  }

  /** A URL without anything after a '?' or ';' (where drivers take passwords). */
  static String redact(String url) {
    int cut = url.length();
    for (char c : new char[] {'?', ';'}) {
      int i = url.indexOf(c);
      if (i >= 0) {
        cut = Math.min(cut, i);
      }
    }
    return url.substring(0, cut);
  }

  private void dropConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is being dropped anyway
      }
      connection = null;
    }
  }
}
