package org.sparkgrid.ingest.jobs;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.sparkgrid.core.config.SparkGridConfig;

/**
 * Where the job store is, how to log in, and who this process is in the store's job leases.
 *
 * <pre>{@code
 * // spark-defaults.conf: spark.sparkgrid.jobs.jdbcUrl  jdbc:postgresql://db:5432/sparkgrid
 * //                      spark.sparkgrid.jobs.user     sparkgrid
 * //                      spark.sparkgrid.jobs.passwordFile /etc/sparkgrid/db-password
 * JobStoreSettings settings = JobStoreSettings.fromConfig(config, System.getenv());
 * try (JobStore store = JdbcJobStore.open(settings, Clock.systemUTC())) { ... }
 * }</pre>
 *
 * <p>The password comes from {@code spark.sparkgrid.jobs.password}, else the file named by
 * {@code spark.sparkgrid.jobs.passwordFile} (its first line), else the environment variable
 * {@value #PASSWORD_ENV}, else nowhere (the URL may carry it, or the database trusts the host).
 * It is never printed: {@link #toString()} shows {@code ***}.
 *
 * @param jdbcUrl  the database, e.g. {@code jdbc:postgresql://db:5432/sparkgrid}, {@code jdbc:mariadb://db/sparkgrid}
 * @param user     the database user, {@code null} for none
 * @param password the database password, {@code null} for none
 * @param owner    this service instance's name in job leases, at most 128 characters; stable across
 *                 restarts, so that a restarted instance takes its own jobs back at once
 * @param lease    how long a claimed job stays this instance's without a heartbeat, at least 1 s
 */
public record JobStoreSettings(String jdbcUrl, String user, String password, String owner, Duration lease) {

  /** The environment variable read for the password when the configuration names none. */
  public static final String PASSWORD_ENV = "SPARKGRID_JOBS_PASSWORD";

  /** The longest owner name (the column's width). */
  public static final int MAX_OWNER_CHARS = 128;

  /** @throws IllegalArgumentException if the owner is blank or too long, or the lease under 1 s */
  public JobStoreSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(lease, "lease");
    if (owner.isBlank() || owner.length() > MAX_OWNER_CHARS) {
      throw new IllegalArgumentException(SparkGridConfig.JOBS_OWNER.name() + " must be 1 to " + MAX_OWNER_CHARS
          + " characters, got \"" + owner + "\"");
    }
    if (lease.toMillis() < 1000) {
      throw new IllegalArgumentException(SparkGridConfig.JOBS_LEASE_MS.name() + " must be at least 1000, got "
          + lease.toMillis());
    }
  }

  /** The H2 file under {@code dir} without login, owned by this host and directory, with the default lease. */
  public static JobStoreSettings h2(Path dir) {
    return new JobStoreSettings(JdbcJobStore.h2Url(dir), null, null, defaultOwner(dir.toAbsolutePath().toString()),
        defaultLease());
  }

  /** A database by URL without login, owned by this host, with the default lease. */
  public static JobStoreSettings of(String jdbcUrl) {
    return new JobStoreSettings(jdbcUrl, null, null, defaultOwner(null), defaultLease());
  }

  /**
   * The settings of {@code spark.sparkgrid.jobs.*}: the URL (an H2 file under the home when
   * empty), user, password (configuration, file or {@code env}'s {@value #PASSWORD_ENV}), owner
   * ({@code <host>:<home>} when empty) and lease.
   *
   * @param env the environment, {@code System.getenv()}
   * @throws IllegalArgumentException if both a password and a password file are set, or the file
   *     cannot be read (naming the key and the path)
   */
  public static JobStoreSettings fromConfig(SparkGridConfig config, Map<String, String> env) {
    String url = config.get(SparkGridConfig.JOBS_JDBC_URL);
    String home = config.home();
    String owner = config.get(SparkGridConfig.JOBS_OWNER);
    return new JobStoreSettings(
        url.isEmpty() ? JdbcJobStore.h2Url(Path.of(home, "jobs")) : url,
        emptyToNull(config.get(SparkGridConfig.JOBS_USER)),
        password(config, env),
        owner.isEmpty() ? defaultOwner(home) : owner,
        Duration.ofMillis(config.get(SparkGridConfig.JOBS_LEASE_MS)));
  }

  /** The password of {@link #fromConfig}: configuration, else file, else environment, else none. */
  static String password(SparkGridConfig config, Map<String, String> env) {
    String inline = config.get(SparkGridConfig.JOBS_PASSWORD);
    String file = config.get(SparkGridConfig.JOBS_PASSWORD_FILE);
    if (!inline.isEmpty() && !file.isEmpty()) {
      throw new IllegalArgumentException("set one of " + SparkGridConfig.JOBS_PASSWORD.name() + " and "
          + SparkGridConfig.JOBS_PASSWORD_FILE.name() + ", not both");
    }
    if (!inline.isEmpty()) {
      return inline;
    }
    if (!file.isEmpty()) {
      return firstLine(Path.of(file));
    }
    return emptyToNull(env.get(PASSWORD_ENV));
  }

  private static String firstLine(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.indexOf('\n');
      return (end < 0 ? text : text.substring(0, end)).stripTrailing();
    } catch (IOException e) {
      throw new IllegalArgumentException(SparkGridConfig.JOBS_PASSWORD_FILE.name() + ": cannot read " + file + ": "
          + e, e);
    }
  }

  /** The driver properties: {@code user} and {@code password} where set. */
  public Properties driverProperties() {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
    }
    if (password != null) {
      p.setProperty("password", password);
    }
    return p;
  }

  /** These settings with another owner. */
  public JobStoreSettings withOwner(String newOwner) {
    return new JobStoreSettings(jdbcUrl, user, password, newOwner, lease);
  }

  /** These settings with another lease. */
  public JobStoreSettings withLease(Duration newLease) {
    return new JobStoreSettings(jdbcUrl, user, password, owner, newLease);
  }

  /** These settings with a user and password ({@code null} for none). */
  public JobStoreSettings withLogin(String newUser, String newPassword) {
    return new JobStoreSettings(jdbcUrl, newUser, newPassword, owner, lease);
  }

  /** The lease of {@code spark.sparkgrid.jobs.leaseMs} by default. */
  public static Duration defaultLease() {
    return Duration.ofMillis(SparkGridConfig.JOBS_LEASE_MS.defaultValue());
  }

  /** {@code <host>} or {@code <host>:<place>}, cut to {@value #MAX_OWNER_CHARS} characters (keeping the end). */
  static String defaultOwner(String place) {
    String name = place == null ? hostName() : hostName() + ":" + place;
    return name.length() <= MAX_OWNER_CHARS ? name : name.substring(name.length() - MAX_OWNER_CHARS);
  }

  private static String hostName() {
    return HostName.NAME;
  }

  /** This host's name, looked up once (the lookup may ask DNS). */
  private static final class HostName {
    static final String NAME = lookUp();

    private static String lookUp() {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env;
      }
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** The settings without the password. */
  @Override
  public String toString() {
    return "JobStoreSettings[jdbcUrl=" + JdbcJobStore.redact(jdbcUrl) + ", user=" + user + ", password="
        + (password == null ? "none" : "***") + ", owner=" + owner + ", lease=" + lease + "]";
  }
}
