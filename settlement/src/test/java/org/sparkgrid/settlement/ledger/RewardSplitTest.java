package org.sparkgrid.settlement.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RewardSplitTest {
  private static final String A = "0x000000000000000000000000000000000000000a";
  private static final String B = "0x000000000000000000000000000000000000000b";
  private static final String C = "0x000000000000000000000000000000000000000c";

  private static List<BigInteger> amounts(List<Share> shares) {
    return shares.stream().map(Share::amount).toList();
  }

  private static BigInteger big(long v) {
    return BigInteger.valueOf(v);
  }

  @Test
  void equalScoresGiveTheLeftoverUnitToTheFirstAccount() {
    // 100 / 3 = 33 rem 1 each; one unit left, tie broken by account: a gets it
    List<Share> shares = RewardSplit.split(big(100), List.of(
        new Payee("site-c", C, 1.0, 10), new Payee("site-a", A, 1.0, 10),
        new Payee("site-b", B, 1.0, 10)), Weighting.SCORE);

    assertThat(shares).extracting(Share::account).containsExactly(A, B, C);
    assertThat(amounts(shares)).containsExactly(big(34), big(33), big(33));
  }

  @Test
  void largestRemainderGetsTheLeftover() {
    // 10 * (0.5, 0.3, 0.2) = 5, 3, 2 exactly: scores are read as the decimals they print as
    List<Share> shares = RewardSplit.split(big(10), List.of(
        new Payee("a", A, 0.5, 1), new Payee("b", B, 0.3, 1), new Payee("c", C, 0.2, 1)),
        Weighting.SCORE);

    assertThat(amounts(shares)).containsExactly(big(5), big(3), big(2));
  }

  @Test
  void remaindersDecideBeforeAccounts() {
    // 7 * (1, 2, 4) / 7 = 1, 2, 4 exactly; 8 * (1,2,4)/7 = 1.14, 2.29, 4.57 -> 1, 2, 4 + 1 left -> c (0.57)
    List<Share> shares = RewardSplit.split(big(8), List.of(
        new Payee("a", A, 1, 0), new Payee("b", B, 2, 0), new Payee("c", C, 4, 0)),
        Weighting.SCORE);

    assertThat(amounts(shares)).containsExactly(big(1), big(2), big(5));
  }

  @Test
  void examplesWeighting() {
    // 90 by examples 1:2:0 -> 30, 60, 0; scores are ignored
    List<Share> shares = RewardSplit.split(big(90), List.of(
        new Payee("a", A, 9.0, 100), new Payee("b", B, 0.0, 200), new Payee("c", C, 5.0, 0)),
        Weighting.EXAMPLES);

    assertThat(amounts(shares)).containsExactly(big(30), big(60), big(0));
  }

  @Test
  void sharesSumToThePoolExactly() {
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Payee> cs = new ArrayList<>();
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        cs.add(new Payee("s" + i, String.format("0x%040x", i + 1), random.nextDouble() * 10, 1));
      }
      BigInteger pool = new BigInteger(100, random);

      List<Share> shares = RewardSplit.split(pool, cs, Weighting.SCORE);

      assertThat(shares.stream().map(Share::amount).reduce(BigInteger.ZERO, BigInteger::add)).isEqualTo(pool);
    }
  }

  @Test
  void allZeroWeightsAreRefused() {
    assertThatThrownBy(() -> RewardSplit.split(big(5), List.of(new Payee("a", A, 0.0, 3)), Weighting.SCORE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("all SCORE weights are zero: the pool of 5 cannot be split");
  }

  @Test
  void anAccountTwiceIsRefused() {
    assertThatThrownBy(() -> RewardSplit.split(big(5), List.of(
        new Payee("x", A, 1.0, 3), new Payee("y", A.toUpperCase().replace("0X", "0x"), 1.0, 3)),
        Weighting.SCORE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("account " + A + " appears twice (sites 'x' and 'y'); merge its payees first");
  }

  @Test
  void aNegativeScoreIsRefusedWhereItIsDeclared() {
    assertThatThrownBy(() -> new Payee("x", A, -1.0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("score of site 'x' must be finite and >= 0. Current value is -1.0.");
  }

  @Test
  void aBadAccountIsRefused() {
    assertThatThrownBy(() -> new Payee("x", "0x12", 1.0, 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("account of site 'x' must be 0x and 40 hex digits. Current value is '0x12'.");
  }

  @Test
  void planDropsZeroSharesAndIndexesInAccountOrder() {
    SettlementPlan plan = SettlementPlan.of("job-1/round-1", big(90), List.of(
        new Payee("c", C, 0.0, 0), new Payee("b", B, 2.0, 0), new Payee("a", A, 1.0, 0)),
        Weighting.SCORE);

    assertThat(plan.payouts()).containsExactly(new Payout(0, A, big(30)), new Payout(1, B, big(60)));
    assertThat(plan.total()).isEqualTo(big(90));
    assertThat(plan.id()).isEqualTo(SettlementPlan.idOf("job-1/round-1"));
  }
}
