package org.sparkgrid.ingest.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry file: its format, its errors, its edits and its reloading. */
class RequesterRegistryTest {
  static final String ALICE = "0x" + "a".repeat(40);
  static final String BOB = "0x" + "b".repeat(40);

  @TempDir Path dir;

  static final String FILE = """
      {"requesters": [
        {"name": "alice", "account": "0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "roles": ["submit", "cancel-own"],
         "limits": {"maxWorkers": 4, "maxRewardPoolPerRound": "1000000000000000000000", "maxFee": 5000}},
        {"name": "ops", "account": "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "roles": ["admin"]}
      ]}""";

  @Test
  void readsRequestersRolesAndLimitsAbsentMeaningNone() {
    RequesterRegistry r = RequesterRegistry.read(FILE.getBytes(UTF_8));

    assertThat(r.requesters()).containsExactly(
        new Requester("alice", ALICE, Set.of(Role.SUBMIT, Role.CANCEL_OWN),
            new Limits(4, null, null, new BigInteger("1000000000000000000000"), null, BigInteger.valueOf(5000))),
        new Requester("ops", BOB, Set.of(Role.ADMIN), Limits.NONE));
    assertThat(r.byAccount(ALICE.toUpperCase().replace("0X", "0x")).orElseThrow().name()).isEqualTo("alice");
    assertThat(r.byName("nobody")).isEmpty();
  }

  @Test
  void writesWhatItReads() {
    RequesterRegistry r = RequesterRegistry.read(FILE.getBytes(UTF_8));

    assertThat(RequesterRegistry.read(r.toJson())).isEqualTo(r);
    assertThat(new String(r.toJson(), UTF_8)).contains("\"maxFee\" : \"5000\"").doesNotContain("maxGpus");
  }

  private static String error(String json) {
    try {
      RequesterRegistry.read(json.getBytes(UTF_8));
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("read");
  }

  @Test
  void aBadFileIsRefusedNamingTheFieldsPathAndValue() {
    assertThat(error("[]")).isEqualTo("$: must be a JSON object with \"requesters\", got []");
    assertThat(error("{\"requesters\": [{\"name\": \"a\", \"account\": \"0x12\", \"roles\": [\"submit\"]}]}"))
        .isEqualTo("requesters[0].account: must be an account, 0x and 40 hex digits, got '0x12'");
    assertThat(error(FILE.replace("\"admin\"", "\"root\"")))
        .isEqualTo("requesters[1].roles[0]: unknown role 'root'; known: submit, cancel-own, admin");
    assertThat(error(FILE.replace("\"ops\"", "\"Ops\"")))
        .isEqualTo("requesters[1].name: must be 1 to 32 characters of a-z, 0-9 and -, starting with a letter or"
            + " digit, got 'Ops'");
    assertThat(error(FILE.replace("\"maxWorkers\": 4", "\"maxWorkers\": -1")))
        .isEqualTo("requesters[0].limits.maxWorkers: must be at least 0, got -1");
    assertThat(error(FILE.replace("\"maxWorkers\": 4", "\"maxWorkers\": 4.5")))
        .isEqualTo("requesters[0].limits.maxWorkers: must be a whole number, got 4.5");
    assertThat(error(FILE.replace("\"maxFee\": 5000", "\"maxFee\": \"5e3\"")))
        .isEqualTo("requesters[0].limits.maxFee: must be a token amount in base units, a decimal string such as"
            + " \"1000000\", got \"5e3\"");
    assertThat(error(FILE.replace("\"maxWorkers\"", "\"workers\"")))
        .isEqualTo("requesters[0].limits.workers: unknown field; known: maxFee, maxGpus, maxRewardPoolPerRound,"
            + " maxRounds, maxWorkers, minFee");
    assertThat(error(FILE.replace("\"ops\"", "\"alice\"")))
        .isEqualTo("requesters[1].name: 'alice' is already the name of requesters[0]");
    assertThat(error("{\"requesters\": [{\"name\": \"a\", \"account\": \"" + ALICE + "\", \"roles\": []}]}"))
        .isEqualTo("requesters[0].roles: must name at least one of submit, cancel-own, admin, got none");
  }

  @Test
  void addAndRemoveRefuseDuplicatesAndUnknownNames() {
    RequesterRegistry r = RequesterRegistry.read(FILE.getBytes(UTF_8));
    Requester carol = new Requester("carol", "0x" + "c".repeat(40), Set.of(Role.SUBMIT), null);

    assertThat(r.with(carol).requesters()).extracting(Requester::name).containsExactly("alice", "ops", "carol");
    assertThat(r.without("alice").requesters()).extracting(Requester::name).containsExactly("ops");
    assertThatThrownBy(() -> r.with(new Requester("alice", "0x" + "c".repeat(40), Set.of(Role.SUBMIT), null)))
        .hasMessage("name: requester 'alice' already exists");
    assertThatThrownBy(() -> r.with(new Requester("carol", BOB, Set.of(Role.SUBMIT), null)))
        .hasMessage("account: " + BOB + " is already requester 'ops's");
    assertThatThrownBy(() -> r.without("dave")).isInstanceOf(NoSuchElementException.class)
        .hasMessage("name: no requester 'dave' in the registry");
  }

  /** A clock the test moves. */
  static final class Ticks extends Clock {
    long millis = 1_000_000;

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void theFileIsReadAgainWhenItChangesAndABrokenEditKeepsTheLastGoodRegistry() throws Exception {
    Path file = dir.resolve("requesters.json");
    RequesterRegistry one = RequesterRegistry.read(FILE.getBytes(UTF_8));
    RegistryFile.write(file, one);
    Ticks clock = new Ticks();
    RegistryFile registry = RegistryFile.open(file, clock);
    Requester carol = new Requester("carol", "0x" + "c".repeat(40), Set.of(Role.SUBMIT), null);

    RegistryFile.write(file, one.with(carol));
    Files.setLastModifiedTime(file, FileTime.fromMillis(5_000_000));
    assertThat(registry.get()).as("looked at once a second at most").isEqualTo(one);
    clock.millis += 1_000;
    assertThat(registry.get().byName("carol")).contains(carol);

    Files.writeString(file, "{\"requesters\": [");
    Files.setLastModifiedTime(file, FileTime.fromMillis(6_000_000));
    clock.millis += 1_000;
    assertThat(registry.get().requesters()).hasSize(3);
    Files.delete(file);
    clock.millis += 1_000;
    assertThat(registry.get().requesters()).hasSize(3);
    assertThat(Files.list(dir).toList()).as("no temporary file left").isEmpty();
  }

  @Test
  void aMissingOrBrokenFileAtStartIsNamed() throws Exception {
    Path file = dir.resolve("requesters.json");
    assertThatThrownBy(() -> RegistryFile.open(file, Clock.systemUTC()))
        .hasMessage("spark.sparkgrid.auth.registry: no requester registry at " + file
            + " (bin/sparkgrid requester add creates it)");
    Files.writeString(file, FILE.replace("\"ops\"", "\"Ops\""));
    assertThatThrownBy(() -> RegistryFile.open(file, Clock.systemUTC()))
        .hasMessageStartingWith("requester registry " + file + ": requesters[1].name: must be 1 to 32");
    assertThat(List.of(RegistryFile.CHECK_EVERY_MS)).containsExactly(1_000L);
  }
}
