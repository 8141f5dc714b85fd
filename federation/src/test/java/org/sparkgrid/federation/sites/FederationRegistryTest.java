package org.sparkgrid.federation.sites;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry on a real directory. */
class FederationRegistryTest {
  @TempDir Path dir;

  private static RegisteredFederation fed(String name, long cap) {
    return new RegisteredFederation(name, new FederationFile(List.of(
        new FederationFile.Site("s1", "file:/s1", "0x" + "1".repeat(40), 1.0, List.of())), Set.of()),
        BigInteger.valueOf(cap), BigInteger.valueOf(10 * cap));
  }

  @Test
  void addsListsReadsAndRemoves() throws Exception {
    FederationRegistry r = FederationRegistry.at(dir.resolve("federations"));

    r.add(fed("b", 5));
    r.add(fed("a", 7));

    assertThat(r.names()).containsExactly("a", "b");
    assertThat(r.get("a")).contains(fed("a", 7));
    assertThat(r.get("c")).isEmpty();
    assertThat(r.get("../a")).isEmpty();
    assertThat(r.remove("a")).isTrue();
    assertThat(r.remove("a")).isFalse();
    assertThat(r.names()).containsExactly("b");
    try (var files = Files.list(dir.resolve("federations"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("b.json"); // no temporary file left
    }
  }

  @Test
  void refusesANameRegisteredAlreadyAndKeepsTheFirst() throws Exception {
    FederationRegistry r = FederationRegistry.at(dir);
    r.add(fed("a", 7));

    assertThatThrownBy(() -> r.add(fed("a", 9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name: a federation 'a' is registered already (" + dir.resolve("a.json") + "); remove it first"
            + " (bin/sparkgrid federation remove a)");
    assertThat(r.get("a")).contains(fed("a", 7));
  }

  @Test
  void aBrokenEntryIsReportedNamingItsFile() throws Exception {
    FederationRegistry r = FederationRegistry.at(dir);
    Files.writeString(dir.resolve("x.json"), "{\"sites\": []}");

    assertThatThrownBy(() -> r.get("x"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("registered federation 'x' is broken: " + dir.resolve("x.json")
            + ": rewardPoolCapPerRound: is required (token units, a string of digits)");
  }

  @Test
  void aMissingDirectoryIsAnEmptyRegistry() throws Exception {
    assertThat(FederationRegistry.at(dir.resolve("none")).names()).isEmpty();
  }
}
