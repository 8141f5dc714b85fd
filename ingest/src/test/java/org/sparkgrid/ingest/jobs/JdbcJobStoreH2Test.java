package org.sparkgrid.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The job-store contract on H2 files, the service's default store, and what does not depend on the database. */
class JdbcJobStoreH2Test extends JobStoreContract {

  private static H2Database h2;

  @BeforeAll
  static void start() throws Exception {
    h2 = new H2Database();
  }

  @AfterAll
  static void stop() throws Exception {
    h2.close();
  }

  @Override
  TestDatabase database() {
    return h2;
  }

  @Test
  void theMigrationsFolderFollowsTheDatabase() {
    assertThat(JobStoreSchema.vendorFolder("H2")).isEqualTo("h2");
    assertThat(JobStoreSchema.vendorFolder("PostgreSQL")).isEqualTo("postgresql");
    assertThat(JobStoreSchema.vendorFolder("MySQL")).isEqualTo("mysql");
    assertThat(JobStoreSchema.vendorFolder("MariaDB")).isEqualTo("mysql");
    assertThatThrownBy(() -> JobStoreSchema.vendorFolder("Oracle"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the job store runs on H2, PostgreSQL, MySQL or MariaDB, not on Oracle");
  }

  @Test
  void aStoreThatCannotOpenSaysWhichDatabase() {
    assertThatThrownBy(() -> JdbcJobStore.open("jdbc:nosuchdb:x"))
        .isInstanceOf(JobStoreException.class)
        .hasMessageStartingWith("job store jdbc:nosuchdb:x: cannot migrate the schema: No suitable driver");
  }
}
