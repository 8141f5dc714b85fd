package org.sparkgrid.ingest.jobs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job-store contract on a real PostgreSQL server (Debian's {@code postgresql}), started once
 * for the class. Fails, never skips, when the server cannot start: {@code bin/sparkgrid test}
 * installs it.
 */
class JdbcJobStorePostgresTest extends JobStoreContract {

  private static PostgresServer server;

  @BeforeAll
  static void start() throws Exception {
    server = PostgresServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Override
  TestDatabase database() {
    return server;
  }

  @Test
  @Override
  void aWrongPasswordIsRefusedWithoutShowingIt() {
    super.aWrongPasswordIsRefusedWithoutShowingIt();
  }

  @Test
  @Override
  void thePasswordMayComeFromAFile() throws Exception {
    super.thePasswordMayComeFromAFile();
  }
}
