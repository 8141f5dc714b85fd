package org.sparkgrid.ingest.jobs;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job-store contract on a real MariaDB server (Debian's {@code mariadb-server}, which stands
 * for MySQL too: same SQL, same migrations), started once for the class. Fails, never skips, when the server cannot start: {@code bin/sparkgrid test}
 * installs it.
 */
class JdbcJobStoreMariaDbTest extends JobStoreContract {

  private static MariaDbServer server;

  @BeforeAll
  static void start() throws Exception {
    server = MariaDbServer.start();
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
