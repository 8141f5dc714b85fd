package org.sparkgrid.ingest.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;

class JobStoreSettingsTest {

  @TempDir
  Path dir;

  private static SparkGridConfig config(String... keyValues) {
    Map<String, String> m = new HashMap<>();
    m.put("spark.sparkgrid.home", "/srv/sparkgrid");
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return SparkGridConfig.from(m);
  }

  private static final Map<String, String> NO_ENV = Map.of();

  @Test
  void anEmptyConfigurationIsTheH2FileUnderTheHomeWithoutLogin() {
    JobStoreSettings s = JobStoreSettings.fromConfig(config(), NO_ENV);

    assertThat(s.jdbcUrl()).isEqualTo(JdbcJobStore.h2Url(Path.of("/srv/sparkgrid", "jobs")));
    assertThat(s.user()).isNull();
    assertThat(s.password()).isNull();
    assertThat(s.owner()).endsWith(":/srv/sparkgrid");
    assertThat(s.lease()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.driverProperties()).isEmpty();
  }

  @Test
  void urlUserOwnerAndLeaseComeFromTheirKeys() {
    JobStoreSettings s = JobStoreSettings.fromConfig(config(
        "spark.sparkgrid.jobs.jdbcUrl", "jdbc:postgresql://db:5432/sparkgrid",
        "spark.sparkgrid.jobs.user", "sparkgrid",
        "spark.sparkgrid.jobs.owner", "service-2",
        "spark.sparkgrid.jobs.leaseMs", "15000"), NO_ENV);

    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/sparkgrid");
    assertThat(s.user()).isEqualTo("sparkgrid");
    assertThat(s.owner()).isEqualTo("service-2");
    assertThat(s.lease()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.driverProperties()).containsExactly(Map.entry("user", "sparkgrid"));
  }

  @Test
  void thePasswordComesFromTheConfigurationThenTheFileThenTheEnvironment() throws Exception {
    Path file = dir.resolve("pw");
    Files.writeString(file, "from-file\nsecond line ignored\n");
    Map<String, String> env = Map.of(JobStoreSettings.PASSWORD_ENV, "from-env");

    assertThat(JobStoreSettings.fromConfig(config("spark.sparkgrid.jobs.password", "inline"), env).password())
        .isEqualTo("inline");
    assertThat(JobStoreSettings.fromConfig(config("spark.sparkgrid.jobs.passwordFile", file.toString()), env).password())
        .isEqualTo("from-file");
    assertThat(JobStoreSettings.fromConfig(config(), env).password()).isEqualTo("from-env");
    assertThat(JobStoreSettings.fromConfig(config(), env).driverProperties().getProperty("password"))
        .isEqualTo("from-env");
  }

  @Test
  void aPasswordAndAPasswordFileTogetherAreRefused() {
    assertThatThrownBy(() -> JobStoreSettings.fromConfig(config("spark.sparkgrid.jobs.password", "x",
        "spark.sparkgrid.jobs.passwordFile", "/etc/pw"), NO_ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("set one of spark.sparkgrid.jobs.password and spark.sparkgrid.jobs.passwordFile, not both");
  }

  @Test
  void anUnreadablePasswordFileIsNamedWithItsKey() {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> JobStoreSettings.fromConfig(config("spark.sparkgrid.jobs.passwordFile", missing.toString()),
        NO_ENV))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("spark.sparkgrid.jobs.passwordFile: cannot read " + missing + ": ");
  }

  @Test
  void thePasswordIsNeverPrinted() {
    JobStoreSettings s = JobStoreSettings.of("jdbc:mariadb://db/sparkgrid?sslMode=verify-full").withLogin("u", "s3cret")
        .withOwner("svc-1");

    assertThat(s.toString())
        .isEqualTo("JobStoreSettings[jdbcUrl=jdbc:mariadb://db/sparkgrid, user=u, password=***, owner=svc-1, lease=PT1M]");
  }

  @Test
  void aBlankOwnerOrAShortLeaseIsRefusedNamingTheKey() {
    JobStoreSettings s = JobStoreSettings.of("jdbc:h2:mem:x");

    assertThatThrownBy(() -> s.withOwner(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.jobs.owner must be 1 to 128 characters, got \" \"");
    assertThatThrownBy(() -> s.withLease(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.jobs.leaseMs must be at least 1000, got 999");
  }

  @Test
  void theDefaultOwnerKeepsTheEndOfALongPlace() {
    String owner = JobStoreSettings.defaultOwner("/" + "d".repeat(300));

    assertThat(owner).hasSize(JobStoreSettings.MAX_OWNER_CHARS).endsWith("ddd");
  }
}
