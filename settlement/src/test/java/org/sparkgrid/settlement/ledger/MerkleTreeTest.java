package org.sparkgrid.settlement.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Payout> threePayouts() {
    return List.of(
        new Payout(0, "0x1111111111111111111111111111111111111111", BigInteger.valueOf(100)),
        new Payout(1, "0x2222222222222222222222222222222222222222", BigInteger.valueOf(200)),
        new Payout(2, "0x3333333333333333333333333333333333333333", BigInteger.valueOf(300)));
  }

  @Test
  void threeLeafRootMatchesOpenZeppelinStandardMerkleTree() {
    // computed by @openzeppelin/merkle-tree 1.0.8 (scripts/merkle-oracle.js), types uint256,address,uint256
    MerkleTree tree = MerkleTree.of(threePayouts());

    assertThat(tree.root().hex()).isEqualTo("0x03178350ae01b2ca35f700a9bc22f40f1e1ef38830331ca046d113d4fa32b22d");
    assertThat(MerkleTree.leaf(threePayouts().get(0)).hex())
        .isEqualTo("0xb92d70b41ca69f2175f9b8882e7f3e96fd837db59ec09fa5de6876b4ec54b59b");
    assertThat(tree.proof(0)).extracting(Bytes32::hex)
        .containsExactly("0x53b2f289d7a21138d2ccd81dc1b35fc2812cf7888b64d39c5cf329ad4ef826ad");
    assertThat(tree.proof(2)).extracting(Bytes32::hex).containsExactly(
        "0x736b7406fc8f256286ca58856c91d4d030c428cc7464d87a13695f11a6269ffd",
        "0xb92d70b41ca69f2175f9b8882e7f3e96fd837db59ec09fa5de6876b4ec54b59b");
  }

  @Test
  void aSingleLeafIsItsOwnRootWithAnEmptyProof() {
    Payout only = threePayouts().get(1);

    MerkleTree tree = MerkleTree.of(List.of(only));

    assertThat(tree.root()).isEqualTo(MerkleTree.leaf(only));
    assertThat(tree.proof(0)).isEmpty();
  }

  @Test
  void everyProofVerifiesAndAWrongAmountDoesNot() {
    List<Payout> payouts = randomPayouts(37, new Random(3));
    MerkleTree tree = MerkleTree.of(payouts);

    for (int i = 0; i < payouts.size(); i++) {
      assertThat(MerkleTree.verify(tree.proof(i), tree.root(), MerkleTree.leaf(payouts.get(i)))).isTrue();
    }
    Payout p = payouts.get(5);
    Payout inflated = new Payout(p.index(), p.account(), p.amount().add(BigInteger.ONE));
    assertThat(MerkleTree.verify(tree.proof(5), tree.root(), MerkleTree.leaf(inflated))).isFalse();
  }

  @Test
  void rootsAndProofsMatchTheJavaScriptLibraryForManySizes() throws Exception {
    Random random = new Random(11);
    for (int n : new int[] {1, 2, 5, 8, 21}) {
      List<Payout> payouts = randomPayouts(n, random);

      JsonNode oracle = oracle(payouts);
      MerkleTree tree = MerkleTree.of(payouts);

      assertThat(tree.root().hex()).as("root of %d leaves", n).isEqualTo(oracle.get("root").asText());
      for (int i = 0; i < n; i++) {
        List<String> expected = new ArrayList<>();
        oracle.get("proofs").get(i).forEach(node -> expected.add(node.asText()));
        assertThat(tree.proof(i)).extracting(Bytes32::hex).as("proof %d of %d", i, n).isEqualTo(expected);
      }
    }
  }

  @Test
  void anEmptyTreeIsRefused() {
    assertThatThrownBy(() -> MerkleTree.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a Merkle tree needs at least one payout");
  }

  private static List<Payout> randomPayouts(int n, Random random) {
    List<Payout> payouts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      payouts.add(new Payout(i, String.format("0x%040x", new BigInteger(160, random)),
          new BigInteger(80, random).add(BigInteger.ONE)));
    }
    return payouts;
  }

  /** Runs scripts/merkle-oracle.js (OpenZeppelin's StandardMerkleTree) over the payouts. */
  private static JsonNode oracle(List<Payout> payouts) throws IOException, InterruptedException {
    List<List<String>> values = payouts.stream()
        .map(p -> List.of(Integer.toString(p.index()), p.account(), p.amount().toString())).toList();
    Process node = new ProcessBuilder("node", "scripts/merkle-oracle.js").redirectErrorStream(false).start();
    try (OutputStream in = node.getOutputStream()) {
      in.write(JSON.writeValueAsBytes(values));
    }
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(node.exitValue()).as(new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();
    return JSON.readTree(out);
  }
}
