package org.sparkgrid.ingest.jobs;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The job store's schema, kept by Flyway migrations under {@code db/sparkgrid-jobs/} on the
 * classpath: {@code common/} for SQL that H2, PostgreSQL and MySQL all read, and one folder per
 * database ({@code h2/}, {@code postgresql/}, {@code mysql/}) for what differs. Version 1 is the
 * table as {@link JdbcJobStore} created it before migrations existed; version 2 adds job leases;
 * version 3 a job's requester, the replay guard's nonces and the audit table.
 *
 * <p>The history is kept in its own table, {@value #HISTORY_TABLE}, so that the store can share a
 * database (and Flyway) with another application. A database that already has the jobs table but
 * no history (a store created by an older SparkGrid) is baselined at version 1, then upgraded; a
 * database without the table gets every version, whatever other tables it holds.
 */
final class JobStoreSchema {

  /** The table where Flyway records the applied versions. */
  static final String HISTORY_TABLE = "sparkgrid_schema_history";

  /** Where the migrations are, under the classpath. */
  static final String LOCATION = "db/sparkgrid-jobs";

  private JobStoreSchema() {}

  /**
   * Brings the schema to the newest version: creates it in an empty database, baselines a store
   * created before migrations at version 1, applies what is missing. Safe to run from several
   * processes at once (Flyway locks the history while it migrates).
   *
   * @return how many versions were applied
   * @throws SQLException                   if the database cannot be reached
   * @throws IllegalArgumentException       if the database is not one of H2, PostgreSQL, MySQL, MariaDB
   * @throws org.flywaydb.core.api.FlywayException if a migration fails
   */
  static int migrate(String url, Properties info) throws SQLException {
    DataSource source = new DriverSource(url, info);
    String vendor;
    boolean legacyTable;
    try (Connection c = source.getConnection()) {
      vendor = vendorFolder(c.getMetaData().getDatabaseProductName());
      legacyTable = jobsTableExists(c);
    }
    Flyway flyway = Flyway.configure(JobStoreSchema.class.getClassLoader())
        .dataSource(source)
        .table(HISTORY_TABLE)
        .locations("classpath:" + LOCATION + "/common", "classpath:" + LOCATION + "/" + vendor)
        // Only read when there is no history: a table without history is version 1 (created by an
        // older SparkGrid); otherwise start below 1, so that V1 runs even beside other tables.
        .baselineOnMigrate(true)
        .baselineVersion(legacyTable ? "1" : "0")
        .baselineDescription(legacyTable ? "jobs table created before migrations" : "before the jobs table")
        .load();
    MigrateResult result = flyway.migrate();
    return result.migrationsExecuted;
  }

  /** The folder of a database's own migrations, from its JDBC product name. */
  static String vendorFolder(String productName) {
    String p = productName.toLowerCase(Locale.ROOT);
    if (p.equals("h2")) {
      return "h2";
    }
    if (p.contains("postgres")) {
      return "postgresql";
    }
    if (p.contains("mysql") || p.contains("mariadb")) {
      return "mysql";
    }
    throw new IllegalArgumentException("the job store runs on H2, PostgreSQL, MySQL or MariaDB, not on " + productName);
  }

  private static boolean jobsTableExists(Connection c) {
    try (Statement st = c.createStatement()) {
      st.executeQuery("SELECT id FROM " + JdbcJobStore.TABLE + " WHERE 1 = 0").close();
      return true;
    } catch (SQLException missing) {
      return false;
    }
  }

  /** Connections from {@link DriverManager} with the store's driver properties (user, password ...). */
  private static final class DriverSource implements DataSource {
    private final String url;
    private final Properties info;

    DriverSource(String url, Properties info) {
      this.url = url;
      this.info = info;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return DriverManager.getConnection(url, info);
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      Properties p = (Properties) info.clone();
      p.setProperty("user", user);
      p.setProperty("password", password);
      return DriverManager.getConnection(url, p);
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
      // not used
    }

    @Override
    public void setLoginTimeout(int seconds) {
      // DriverManager's login timeout applies
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getLogger("org.sparkgrid.ingest.jobs");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return false;
    }
  }
}
