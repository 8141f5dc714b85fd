package org.sparkgrid.ingest.jobs;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/** A database server the job-store contract runs against, and the fresh databases it hands out. */
public interface TestDatabase extends AutoCloseable {

  /** A new empty database on this server, for one test. */
  Target fresh() throws Exception;

  /** The large-text type of the job table as SparkGrid created it before migrations (CLOB, TEXT, MEDIUMTEXT). */
  String legacyTextType();

  /** An identifier quoted as this database quotes it (Flyway creates its history table with quoted names). */
  String quote(String identifier);

  @Override
  void close() throws Exception;

  /**
   * One database and its login.
   *
   * @param user     {@code null} for none
   * @param password {@code null} for none
   */
  record Target(String url, String user, String password) {

    /** The settings of a store on this database acting for {@code owner}. */
    public JobStoreSettings settings(String owner, Duration lease) {
      return JobStoreSettings.of(url).withLogin(user, password).withOwner(owner).withLease(lease);
    }

    public Connection connect() throws SQLException {
      return DriverManager.getConnection(url, JobStoreSettings.of(url).withLogin(user, password).driverProperties());
    }
  }
}
