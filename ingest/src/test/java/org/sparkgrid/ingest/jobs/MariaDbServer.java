package org.sparkgrid.ingest.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server for the tests: Debian's {@code mariadb-server} binaries, a new data folder
 * ({@code mariadb-install-db}) in a temporary folder, {@code mariadbd} on a free port of
 * 127.0.0.1 with a user {@value #USER} that logs in with a password. Each {@link #fresh()} is a
 * new database that user may use.
 */
final class MariaDbServer implements TestDatabase {

  static final String USER = "sparkgrid";

  private final Path dir;
  private final Process process;
  private final int port;
  private final String password;
  private final Thread onExit;
  private int databases;

  private MariaDbServer(Path dir, Process process, int port, String password) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.password = password;
    this.onExit = new Thread(this::stopQuietly, "stop MariaDB");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Starts a server.
   *
   * @throws IllegalStateException if the binaries are missing or the server does not come up
   */
  static MariaDbServer start() throws Exception {
    Path server = ServerProcesses.firstExecutable(List.of(Path.of("/usr/sbin/mariadbd"), Path.of("/usr/sbin/mysqld")));
    Path install = ServerProcesses.firstExecutable(List.of(Path.of("/usr/bin/mariadb-install-db"),
        Path.of("/usr/bin/mysql_install_db")));
    if (server == null || install == null) {
      throw ServerProcesses.missing("MariaDB's mariadbd and mariadb-install-db", "mariadb-server", "/usr/sbin, /usr/bin");
    }
    Path dir = Files.createTempDirectory("sparkgrid-mariadb-");
    Path data = dir.resolve("data");
    String user = System.getProperty("user.name");
    ServerProcesses.run(Duration.ofSeconds(120), List.of(install.toString(), "--no-defaults", "--datadir=" + data,
        "--user=" + user, "--auth-root-authentication-method=normal", "--skip-test-db"));
    int port = ServerProcesses.freePort();
    Path log = dir.resolve("server.log");
    Process process = new ProcessBuilder(server.toString(), "--no-defaults", "--datadir=" + data, "--user=" + user,
        "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("sock"),
        "--pid-file=" + dir.resolve("pid"), "--skip-name-resolve", "--skip-log-bin", "--log-error=" + log)
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    String password = "pw-" + UUID.randomUUID();
    MariaDbServer db = new MariaDbServer(dir, process, port, password);
    try {
      ServerProcesses.awaitConnection(db.url(""), rootLogin(), process, log, Duration.ofSeconds(60));
      try (Connection c = DriverManager.getConnection(db.url(""), rootLogin()); Statement st = c.createStatement()) {
        st.executeUpdate("CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + password + "'");
      }
    } catch (RuntimeException | InterruptedException | SQLException e) {
      db.close();
      throw e;
    }
    return db;
  }

  private static Properties rootLogin() {
    Properties p = new Properties();
    p.setProperty("user", "root");
    return p;
  }

  private String url(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public synchronized Target fresh() throws SQLException {
    String name = "jobs_" + (++databases);
    try (Connection c = DriverManager.getConnection(url(""), rootLogin()); Statement st = c.createStatement()) {
      st.executeUpdate("CREATE DATABASE " + name);
      st.executeUpdate("GRANT ALL PRIVILEGES ON " + name + ".* TO '" + USER + "'@'%'");
    }
    return new Target(url(name), USER, password);
  }

  @Override
  public String legacyTextType() {
    return "MEDIUMTEXT";
  }

  @Override
  public String quote(String identifier) {
    return "`" + identifier + "`";
  }

  @Override
  public void close() throws Exception {
    stopQuietly();
    Runtime.getRuntime().removeShutdownHook(onExit);
    ServerProcesses.deleteTree(dir);
  }

  private void stopQuietly() {
    process.destroy(); // SIGTERM: mariadbd shuts down cleanly
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
