package org.sparkgrid.federation.sites;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class RegisteredFederationTest {
  private static final String SITES = "\"sites\": [{\"id\": \"s1\", \"data\": \"file:/d\", \"account\": \"0x"
      + "1".repeat(40) + "\"}]";

  private static RegisteredFederation parse(String more) {
    return RegisteredFederation.parse("f1", ("{" + SITES + more + "}").getBytes(UTF_8), "f1.json");
  }

  @Test
  void readsTheCapAndTheBudgetAsStringsOrWholeNumbers() {
    RegisteredFederation f = parse(", \"rewardPoolCapPerRound\": \"100000000000000000000\", \"tokenBudget\": 300");

    assertThat(f.rewardPoolCapPerRound()).isEqualTo(new BigInteger("100000000000000000000"));
    assertThat(f.tokenBudget()).isEqualTo(BigInteger.valueOf(300));
    assertThat(f.federation().ids()).containsExactly("s1");
    assertThat(RegisteredFederation.parse("f1", f.toJson(), "again")).isEqualTo(f);
  }

  @Test
  void refusesAMissingOrNegativeAmountNamingTheField() {
    assertThatThrownBy(() -> parse(", \"tokenBudget\": \"1\""))
        .hasMessage("f1.json: rewardPoolCapPerRound: is required (token units, a string of digits)");
    assertThatThrownBy(() -> parse(", \"rewardPoolCapPerRound\": \"1\", \"tokenBudget\": -5"))
        .hasMessage("f1.json: tokenBudget: must be a non-negative whole number of token units that fits in 256 bits"
            + " (a string of digits), got -5");
    assertThatThrownBy(() -> parse(", \"rewardPoolCapPerRound\": \"1.5\", \"tokenBudget\": 1"))
        .hasMessageStartingWith("f1.json: rewardPoolCapPerRound: must be a non-negative whole number");
  }

  @Test
  void theRestIsCheckedAsAFederationFile() {
    assertThatThrownBy(() -> parse(", \"rewardPoolCapPerRound\": 1, \"tokenBudget\": 1, \"pool\": 3"))
        .hasMessage("f1.json: pool: unknown field (known: [allowlist, sites])");
  }

  @Test
  void refusesANameThatCouldNotBeAFileName() {
    assertThatThrownBy(() -> RegisteredFederation.parse("../etc",
        ("{" + SITES + ", \"rewardPoolCapPerRound\": 1, \"tokenBudget\": 1}").getBytes(UTF_8), "x.json"))
        .hasMessage("x.json: name: '../etc' must be 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
  }
}
