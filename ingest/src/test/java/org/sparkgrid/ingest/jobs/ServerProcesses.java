package org.sparkgrid.ingest.jobs;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the database servers of the tests share: running their tools, waiting for them, cleaning up. */
final class ServerProcesses {

  private ServerProcesses() {}

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs a command to its end; its output is in the message if it fails or outlasts {@code timeout}. */
  static String run(Duration timeout, List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[][] out = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        out[0] = ("(cannot read output: " + e + ")").getBytes(StandardCharsets.UTF_8);
      }
    });
    reader.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      reader.join(5000);
      throw new IllegalStateException(String.join(" ", command) + " ran past " + timeout + ": " + text(out[0]));
    }
    reader.join();
    String text = text(out[0]);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
    }
    return text;
  }

  private static String text(byte[] b) {
    return b == null ? "" : new String(b, StandardCharsets.UTF_8);
  }

  static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The first of {@code candidates} that is an executable file. */
  static Path firstExecutable(List<Path> candidates) {
    return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
  }

  /**
   * Waits until the server takes a connection.
   *
   * @throws IllegalStateException if it died or did not answer in {@code timeout}, with its log's end
   */
  static void awaitConnection(String url, Properties login, Process server, Path log, Duration timeout)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    SQLException last = null;
    while (System.nanoTime() < end) {
      if (!server.isAlive()) {
        throw new IllegalStateException("the database server exited " + server.exitValue() + ": " + tail(log));
      }
      try (Connection c = DriverManager.getConnection(url, login)) {
        return;
      } catch (SQLException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the database server did not answer on " + url + " in " + timeout + " (" + last
        + "): " + tail(log));
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The message when a server's programs are missing: the test fails, it is never skipped. */
  static IllegalStateException missing(String what, String debianPackage, String lookedIn) {
    return new IllegalStateException(what + " not found (looked in " + lookedIn + "). The job-store contract runs"
        + " against a real server: install Debian's " + debianPackage + " (bin/sparkgrid test installs it as root).");
  }
}
