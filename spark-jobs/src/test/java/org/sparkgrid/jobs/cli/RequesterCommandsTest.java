package org.sparkgrid.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.auth.Limits;
import org.sparkgrid.ingest.auth.RegistryFile;
import org.sparkgrid.ingest.auth.Requester;
import org.sparkgrid.ingest.auth.Role;
import org.sparkgrid.ingest.jobs.AuditRecord;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.jobs.service.ServiceAuth;
import org.sparkgrid.settlement.chain.ChainKey;

/** {@code requester add|remove|list} on a real registry file, {@code audit} on a real job store, the local operator. */
class RequesterCommandsTest {
  static final String ALICE = "0x" + "a".repeat(40);
  static final String BOB = "0x" + "b".repeat(40);

  @TempDir Path home;

  private record Run(int rc, String out, String err) {}

  private Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int rc;
    try {
      String[] all = new String[args.length + 2];
      System.arraycopy(args, 0, all, 0, args.length);
      all[args.length] = "--conf";
      all[args.length + 1] = "spark.sparkgrid.home=" + home;
      rc = SparkGridCli.execute(all);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.clearProperty("spark.sparkgrid.home");
    }
    return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void addListAndRemoveEditTheRegistryFileRefusingDuplicatesAndBadValues() throws Exception {
    Path file = home.resolve("requesters.json");

    Run add = run("requester", "add", "--name", "alice", "--account", ALICE.toUpperCase().replace("0X", "0x"),
        "--roles", "submit,cancel-own", "--max-workers", "4", "--max-reward-pool-per-round", "1000000000000000000000");
    Run bob = run("requester", "add", "--name", "bob", "--account", BOB, "--roles", "admin");
    Run dup = run("requester", "add", "--name", "alice", "--account", "0x" + "c".repeat(40), "--roles", "submit");
    Run badAccount = run("requester", "add", "--name", "carol", "--account", "0x12", "--roles", "submit");
    Run badRole = run("requester", "add", "--name", "carol", "--account", "0x" + "c".repeat(40), "--roles", "root");
    Run list = run("requester", "list");

    assertThat(add.rc()).isZero();
    assertThat(add.out()).isEqualTo("requester alice (" + ALICE + ") added to " + file
        + "; its job ids start with alice.\n");
    assertThat(bob.rc()).isZero();
    assertThat(RegistryFile.read(file).requesters()).containsExactly(
        new Requester("alice", ALICE, Set.of(Role.SUBMIT, Role.CANCEL_OWN),
            new Limits(4, null, null, new java.math.BigInteger("1000000000000000000000"), null, null)),
        new Requester("bob", BOB, Set.of(Role.ADMIN), null));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(dup.rc()).isEqualTo(2);
    assertThat(dup.err()).isEqualTo("sparkgrid: requester add: name: requester 'alice' already exists\n");
    assertThat(badAccount.err()).isEqualTo("sparkgrid: requester add: account: must be an account, 0x and 40 hex"
        + " digits, got '0x12'\n");
    assertThat(badRole.err()).isEqualTo("sparkgrid: roles: unknown role 'root'; known: submit, cancel-own, admin\n");
    assertThat(list.out()).isEqualTo(String.format(
        "%-20s %-42s %-24s %s%n%-20s %-42s %-24s %s%n%-20s %-42s %-24s %s%n",
        "NAME", "ACCOUNT", "ROLES", "LIMITS",
        "alice", ALICE, "submit,cancel-own", "maxWorkers=4 maxRewardPoolPerRound=1000000000000000000000",
        "bob", BOB, "admin", "none"));

    Run remove = run("requester", "remove", "alice");
    Run removeAgain = run("requester", "remove", "alice");

    assertThat(remove.out()).isEqualTo("requester alice removed from " + file + "\n");
    assertThat(RegistryFile.read(file).requesters()).extracting(Requester::name).containsExactly("bob");
    assertThat(removeAgain.rc()).isEqualTo(2);
    assertThat(removeAgain.err()).isEqualTo("sparkgrid: name: no requester 'alice' in the registry\n");
    try (var files = Files.list(home)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).as("no temporary file left")
          .containsExactly("requesters.json");
    }
  }

  @Test
  void auditPrintsTheLatestVerdictsOfAJob() {
    Instant t = Instant.parse("2026-12-04T10:00:00Z");
    try (JobStore store = JdbcJobStore.open(SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString())))) {
      store.appendAudit(List.of(
          new AuditRecord(t, ALICE, "alice", "request", "alice.a", true, null),
          new AuditRecord(t.plusSeconds(1), "unsigned", null, "cancel", "alice.a", false,
              "unauthorized: unsigned: the record carries no signature"),
          new AuditRecord(t.plusSeconds(2), BOB, "bob", "request", "bob.b", true, null)));
    }

    Run audit = run("audit", "--job", "alice.a", "--limit", "5");

    assertThat(audit.rc()).as(audit.err()).isZero();
    String row = "%-24s %-42s %-16s %-12s %-32s %-8s %s%n";
    assertThat(audit.out()).isEqualTo(String.format(row + row + row,
        "TIME", "ACCOUNT", "REQUESTER", "KIND", "JOB", "VERDICT", "REASON",
        "2026-12-04T10:00:00Z", ALICE, "alice", "request", "alice.a", "accepted", "",
        "2026-12-04T10:00:01Z", "unsigned", "-", "cancel", "alice.a", "refused",
        "unauthorized: unsigned: the record carries no signature"));
  }

  @Test
  void theLocalOperatorIsAnAdminWhoseKeyIsInAPrivateKeystore() throws Exception {
    SparkGridConfig config = SparkGridConfig.from(Map.of("spark.sparkgrid.home", home.toString()));

    Requester local = ServiceAuth.createLocalRequester(config).orElseThrow();

    assertThat(local.name()).isEqualTo("local");
    assertThat(local.roles()).containsExactly(Role.ADMIN);
    assertThat(RegistryFile.read(home.resolve("requesters.json")).requesters()).containsExactly(local);
    Path keys = home.resolve("keys");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
    for (String f : new String[] {"requester.json", "requester.password"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(f)))).isEqualTo("rw-------");
    }
    ChainKey key = ChainKey.fromKeystore(keys.resolve("requester.json"), keys.resolve("requester.password"));
    assertThat(key.address()).isEqualTo(local.account());
    assertThat(ServiceAuth.createLocalRequester(config)).as("only when there is no registry").isEmpty();
    assertThat(ServiceAuth.createLocalRequester(SparkGridConfig.from(Map.of("spark.sparkgrid.home",
        home.resolve("other").toString(), "spark.sparkgrid.auth.required", "false"))))
        .as("only where signatures are required").isEmpty();
  }
}
