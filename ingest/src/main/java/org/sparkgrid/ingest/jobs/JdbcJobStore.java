package org.sparkgrid.ingest.jobs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;

/**
 * A {@link JobStore} in one SQL table, {@value #TABLE}, through plain JDBC: an embedded H2 file
 * by default, PostgreSQL or MySQL by URL (their driver on the classpath). The table is created if
 * missing. Timestamps are stored as epoch milliseconds ({@code BIGINT}) and every statement is
 * SQL that H2, PostgreSQL and MySQL all read; only the large-text column type differs, chosen
 * from the database's product name.
 *
 * <pre>{@code
 * JobStore local = JdbcJobStore.openH2(Path.of(System.getProperty("user.home"), ".sparkgrid", "jobs"));
 * Properties login = new Properties();
 * login.setProperty("user", "sparkgrid");
 * login.setProperty("password", System.getenv("SPARKGRID_DB_PASSWORD"));
 * JobStore shared = JdbcJobStore.open("jdbc:postgresql://db:5432/sparkgrid", login, Clock.systemUTC());
 * }</pre>
 *
 * <p>One connection, used by one thread at a time (the methods are synchronized); it is reopened
 * after a failure. Error texts longer than {@value #MAX_ERROR_CHARS} characters are cut.
 */
public final class JdbcJobStore implements JobStore {

  /** The table's name. */
  public static final String TABLE = "sparkgrid_jobs";

  /** Longest error text stored; longer ones are cut and end with "...". */
  public static final int MAX_ERROR_CHARS = 4000;

  private static final String COLUMNS = "id, request_json, state, priority, attempts, created_at, updated_at,"
      + " started_at, finished_at, error, phase, result_json, source_topic, source_partition, source_offset, event_seq";

  private static final String INSERT = "INSERT INTO " + TABLE + " (" + COLUMNS + ")"
      + " VALUES (?, ?, ?, ?, 0, ?, ?, NULL, NULL, NULL, NULL, NULL, ?, ?, ?, ?)";

  /** Most ids in one {@code IN (...)} list. */
  private static final int IN_LIST_MAX = 500;

  private final String url;
  private final Properties info;
  private final Clock clock;
  private Connection connection;
  private boolean closed;

  private JdbcJobStore(String url, Properties info, Clock clock) {
    this.url = url;
    this.info = info;
    this.clock = clock;
  }

  /**
   * The store in an H2 database file {@code <dir>/jobs.mv.db}, created if missing.
   *
   * @throws JobStoreException if the file cannot be opened (another process holds it, say)
   */
  public static JdbcJobStore openH2(Path dir) {
    return open(h2Url(dir), new Properties(), Clock.systemUTC());
  }

  /** The JDBC URL of the H2 file {@link #openH2} opens. */
  public static String h2Url(Path dir) {
    // AUTO_SERVER: the CLI (jobs, job) can read the store while the service holds it open.
    // WRITE_DELAY=0: each commit reaches the file before it returns; H2's default (500 ms) loses
    // the last commits of a process killed with SIGKILL, e.g. a request whose offset was committed
    return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("jobs") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
  }

  /**
   * The store in any database by JDBC URL, without credentials.
   *
   * @throws JobStoreException if the database cannot be reached or the table cannot be created
   */
  public static JdbcJobStore open(String jdbcUrl) {
    return open(jdbcUrl, new Properties(), Clock.systemUTC());
  }

  /**
   * The store in any database by JDBC URL.
   *
   * @param info  driver properties, e.g. {@code user} and {@code password}
   * @param clock the time stamped on jobs
   * @throws JobStoreException if the database cannot be reached or the table cannot be created
   */
  public static JdbcJobStore open(String jdbcUrl, Properties info, Clock clock) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    JdbcJobStore store = new JdbcJobStore(jdbcUrl, (Properties) info.clone(), Objects.requireNonNull(clock, "clock"));
    store.run(store::createTableIfMissing, "create table " + TABLE);
    return store;
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
    List<String> jsons = new ArrayList<>(batch.size());
    Set<String> ids = new LinkedHashSet<>();
    for (NewJob job : batch) {
      jsons.add(canonicalJson(job.request()));
      ids.add(job.request().id());
    }
    return run(c -> inTransaction(c, () -> {
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
    }), "enqueue a batch of " + batch.size());
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
  }

  @Override
  public synchronized Optional<Job> get(String id) {
    return run(c -> find(c, id), "get " + id);
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
        String id;
        try (PreparedStatement st = c.prepareStatement("SELECT id FROM " + TABLE
            + " WHERE state = 'QUEUED' ORDER BY priority DESC, created_at, id LIMIT 1");
             ResultSet rs = st.executeQuery()) {
          if (!rs.next()) {
            return Optional.<Job>empty();
          }
          id = rs.getString(1);
        }
        long now = clock.millis();
        if (update(c, id, JobState.QUEUED, JobState.RUNNING, now, ", started_at = ?, error = NULL, phase = NULL", now)) {
          return find(c, id);
        }
        // another claimer won this one: look again
      }
    }, "claim next job");
  }

  @Override
  public synchronized Job start(String id) {
    long now = clock.millis();
    return move(id, JobState.RUNNING, ", started_at = ?, error = NULL, phase = NULL", now);
  }

  @Override
  public synchronized Job setPhase(String id, String phase) {
    return run(c -> {
      Job job = find(c, id).orElseThrow(() -> noSuchJob(id));
      if (job.state().terminal()) {
        throw new IllegalStateException("job " + id + ": cannot set phase " + phase + ", it is " + job.state());
      }
      if (!update(c, id, job.state(), job.state(), clock.millis(), ", phase = ?", phase)) {
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
      try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE
          + " SET state = 'QUEUED', attempts = attempts + 1, phase = NULL, updated_at = ? WHERE state = 'RUNNING'")) {
        st.setLong(1, clock.millis());
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

  private Void createTableIfMissing(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT id FROM " + TABLE + " WHERE 1 = 0").close();
      return null; // the table exists
    } catch (SQLException missing) {
      // fall through: create it (CREATE INDEX IF NOT EXISTS is not MySQL, so create both here)
    }
    String text = largeTextType(c.getMetaData().getDatabaseProductName());
    try (Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE " + TABLE + " ("
          + "id VARCHAR(128) NOT NULL PRIMARY KEY, "
          + "request_json " + text + " NOT NULL, "
          + "state VARCHAR(16) NOT NULL, "
          + "priority INTEGER NOT NULL, "
          + "attempts INTEGER NOT NULL, "
          + "created_at BIGINT NOT NULL, "
          + "updated_at BIGINT NOT NULL, "
          + "started_at BIGINT, "
          + "finished_at BIGINT, "
          + "error VARCHAR(" + MAX_ERROR_CHARS + "), "
          + "phase VARCHAR(64), "
          + "result_json " + text + ", "
          + "source_topic VARCHAR(249), "
          + "source_partition INTEGER, "
          + "source_offset BIGINT, "
          + "event_seq BIGINT NOT NULL)");
      st.executeUpdate("CREATE INDEX " + TABLE + "_queue ON " + TABLE + " (state, priority, created_at)");
    }
    return null;
  }

  /** The type of request and result JSON: a CLOB on H2, TEXT on PostgreSQL, MEDIUMTEXT (16 MB) on MySQL. */
  static String largeTextType(String productName) {
    String p = productName.toLowerCase(Locale.ROOT);
    if (p.contains("postgres")) {
      return "TEXT";
    }
    if (p.contains("mysql") || p.contains("mariadb")) {
      return "MEDIUMTEXT";
    }
    return "CLOB";
  }

  /** Moves a job to {@code to} if its current state allows it, setting {@code extraSet} too. */
  private Job move(String id, JobState to, String extraSet, Object... extraParams) {
    return run(c -> {
      while (true) {
        Job job = find(c, id).orElseThrow(() -> noSuchJob(id));
        if (!job.state().canMoveTo(to)) {
          throw new IllegalStateException("job " + id + ": cannot go from " + job.state() + " to " + to);
        }
        if (update(c, id, job.state(), to, clock.millis(), extraSet, extraParams)) {
          return find(c, id).orElseThrow();
        }
      }
    }, "move " + id + " to " + to);
  }

  /** Compare and set: applies the change only if the job is still in {@code from}. */
  private static boolean update(Connection c, String id, JobState from, JobState to, long now,
      String extraSet, Object... extraParams) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET state = ?, updated_at = ?"
        + extraSet + " WHERE id = ? AND state = ?")) {
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
      st.setString(i++, id);
      st.setString(i, from.name());
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
            rs.getLong("event_seq")));
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

  private static String cut(String s) {
    return s == null || s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS - 3) + "...";
  }

  /** A URL without anything after a '?' or ';' (where drivers take passwords). */
  private static String redact(String url) {
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
