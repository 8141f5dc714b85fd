package org.sparkgrid.ingest.jobs;

import static org.sparkgrid.ingest.jobs.ServerProcesses.concat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: Debian's {@code postgresql} binaries, a new cluster in
 * a temporary folder (initdb, password authentication), listening on a free port of 127.0.0.1.
 * As root it runs as the {@code postgres} user (PostgreSQL refuses root). Each {@link #fresh()}
 * is a new database. Public, with {@link TestDatabase}, for the tests of other modules (through
 * ingest's test jar): spark-jobs' two-instance test and the store benchmark.
 */
public final class PostgresServer implements TestDatabase {

  static final String USER = "sparkgrid";

  private final Path dir;
  private final List<String> asOwner;
  private final Path bin;
  private final Process process;
  private final int port;
  private final String password;
  private final Thread onExit;
  private int databases;

  private PostgresServer(Path dir, List<String> asOwner, Path bin, Process process, int port, String password) {
    this.dir = dir;
    this.asOwner = asOwner;
    this.bin = bin;
    this.process = process;
    this.port = port;
    this.password = password;
    this.onExit = new Thread(this::stopQuietly, "stop PostgreSQL");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  /**
   * Starts a server.
   *
   * @throws IllegalStateException if the binaries are missing or the server does not come up
   */
  public static PostgresServer start() throws Exception {
    Path bin = findBin();
    Path dir = Files.createTempDirectory("sparkgrid-pg-");
    String password = "pw-" + UUID.randomUUID();
    Files.writeString(dir.resolve("pwfile"), password + "\n", StandardCharsets.UTF_8);
    List<String> asOwner = List.of();
    if (ServerProcesses.isRoot()) {
      ServerProcesses.run(Duration.ofSeconds(30), List.of("chown", "-R", "postgres:postgres", dir.toString()));
      asOwner = List.of("runuser", "-u", "postgres", "--");
    }
    Path data = dir.resolve("data");
    ServerProcesses.run(Duration.ofSeconds(120), concat(asOwner, bin.resolve("initdb").toString(), "-D", data.toString(),
        "-U", USER, "--pwfile=" + dir.resolve("pwfile"), "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"));
    int port = ServerProcesses.freePort();
    Path log = dir.resolve("server.log");
    Process process = new ProcessBuilder(concat(asOwner, bin.resolve("postgres").toString(), "-D", data.toString(),
        "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        "-c", "max_connections=50"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    PostgresServer server = new PostgresServer(dir, asOwner, bin, process, port, password);
    try {
      ServerProcesses.awaitConnection(server.url("postgres"), server.login(), process, log, Duration.ofSeconds(60));
    } catch (RuntimeException | InterruptedException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static Path findBin() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        versions.sorted(Comparator.comparing((Path p) -> versionOf(p)).reversed())
            .forEach(v -> candidates.add(v.resolve("bin")));
      }
    }
    for (Path b : candidates) {
      if (Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres"))) {
        return b;
      }
    }
    throw ServerProcesses.missing("PostgreSQL's initdb and postgres", "postgresql", root + "/*/bin");
  }

  private static int versionOf(Path p) {
    try {
      return Integer.parseInt(p.getFileName().toString().replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private Properties login() {
    Properties p = new Properties();
    p.setProperty("user", USER);
    p.setProperty("password", password);
    return p;
  }

  @Override
  public synchronized Target fresh() throws SQLException {
    String name = "jobs_" + (++databases);
    try (Connection c = DriverManager.getConnection(url("postgres"), login()); Statement st = c.createStatement()) {
      st.executeUpdate("CREATE DATABASE " + name);
    }
    return new Target(url(name), USER, password);
  }

  @Override
  public String legacyTextType() {
    return "TEXT";
  }

  @Override
  public String quote(String identifier) {
    return "\"" + identifier + "\"";
  }

  @Override
  public void close() throws Exception {
    stopQuietly();
    Runtime.getRuntime().removeShutdownHook(onExit);
    ServerProcesses.deleteTree(dir);
  }

  private void stopQuietly() {
    if (!process.isAlive()) {
      return;
    }
    try {
      ServerProcesses.run(Duration.ofSeconds(60), concat(asOwner, bin.resolve("pg_ctl").toString(), "-D",
          dir.resolve("data").toString(), "stop", "-m", "fast"));
      process.waitFor();
    } catch (Exception e) {
      process.destroyForcibly();
    }
  }
}
