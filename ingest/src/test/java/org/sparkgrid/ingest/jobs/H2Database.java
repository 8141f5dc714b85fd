package org.sparkgrid.ingest.jobs;

import java.nio.file.Files;
import java.nio.file.Path;

/** H2 files, as the service uses by default: each {@link #fresh()} a new folder. */
final class H2Database implements TestDatabase {

  private final Path dir;
  private int databases;

  H2Database() throws Exception {
    dir = Files.createTempDirectory("sparkgrid-h2-");
  }

  @Override
  public synchronized Target fresh() {
    return new Target(JdbcJobStore.h2Url(dir.resolve("jobs-" + (++databases))), null, null);
  }

  @Override
  public String legacyTextType() {
    return "CLOB";
  }

  @Override
  public String quote(String identifier) {
    return "\"" + identifier + "\"";
  }

  @Override
  public void close() throws Exception {
    ServerProcesses.deleteTree(dir);
  }
}
