package org.sparkgrid.settlement.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Utf8String;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;

/** Revert data to one line: Solidity's built-in errors and the custom errors of our contracts' ABIs. */
class RevertReasonsTest {
  private static String encode(String name, org.web3j.abi.datatypes.Type<?>... args) {
    return FunctionEncoder.encode(new Function(name, List.of(args), List.of()));
  }

  @Test
  void errorStringIsItsMessage() {
    assertThat(RevertReasons.decode(encode("Error", new Utf8String("not enough tokens")))).isEqualTo("not enough tokens");
  }

  @Test
  void panicShowsItsCodeInHex() {
    assertThat(RevertReasons.decode(encode("Panic", new Uint256(17)))).isEqualTo("Panic(0x11)");
  }

  @Test
  void anOpenZeppelinErrorOfTheTokenIsNamedWithItsArguments() {
    String data = encode("ERC20InsufficientBalance", new Address("0x00000000000000000000000000000000000000aa"),
        new Uint256(5), new Uint256(7));

    assertThat(RevertReasons.decode(data))
        .isEqualTo("ERC20InsufficientBalance(sender=0x00000000000000000000000000000000000000aa, balance=5, needed=7)");
  }

  @Test
  void ourOwnErrorsAreNamed() {
    byte[] id = new byte[32];
    id[31] = 1;
    assertThat(RevertReasons.decode(encode("AlreadyClaimed", new Bytes32(id), new Uint256(BigInteger.TWO))))
        .isEqualTo("AlreadyClaimed(settlementId=0x" + "00".repeat(31) + "01, index=2)");
    assertThat(RevertReasons.decode(encode("InvalidProof"))).isEqualTo("InvalidProof()");
  }

  @Test
  void unknownOrMissingDataIsShownAsItIs() {
    assertThat(RevertReasons.decode("0xdeadbeef")).isEqualTo("unknown custom error 0xdeadbeef");
    assertThat(RevertReasons.decode(null)).isEqualTo("reverted without a reason");
    assertThat(RevertReasons.decode("0x")).isEqualTo("reverted without a reason");
  }

  @Test
  void aFunctionIsNamedFromItsSelector() {
    assertThat(RevertReasons.functionOf(RevertReasons.selector("claim(bytes32,uint256,address,uint256,bytes32[])")
        + "00")).isEqualTo("RewardDistributor.claim(bytes32,uint256,address,uint256,bytes32[])");
  }

  @Test
  void theGasLimitIsTheEstimatePlusTheMarginRoundedUp() {
    assertThat(CheckedTransactionManager.withMargin(BigInteger.valueOf(100_000), 25)).isEqualTo(BigInteger.valueOf(125_000));
    assertThat(CheckedTransactionManager.withMargin(BigInteger.valueOf(21_001), 25)).isEqualTo(BigInteger.valueOf(26_252));
  }

  @Test
  void theMaxFeeIsTwiceTheBaseFeePlusTheTip() {
    Fees fees = Fees.eip1559(ChainOptions.gwei(20), ChainOptions.gwei(1));
    assertThat(fees.maxFee()).isEqualTo(ChainOptions.gwei(41));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> fees.checkCeiling(ChainOptions.gwei(40)))
        .isInstanceOf(Fees.FeeCeilingException.class)
        .hasMessage("the chain needs maxFeePerGas 41 gwei (2 x base fee 20 gwei + tip 1 gwei), above the ceiling of"
            + " 40 gwei (spark.sparkgrid.chain.maxFeePerGasGwei)");
    assertThat(fees.checkCeiling(ChainOptions.gwei(41))).isSameAs(fees);
  }
}
