package org.sparkgrid.settlement.ledger;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * A Merkle tree over payouts, built exactly as OpenZeppelin's {@code StandardMerkleTree} with
 * leaf types {@code ["uint256", "address", "uint256"]}, so its roots and proofs are those the
 * JavaScript library computes and {@code MerkleProof.verify} accepts:
 *
 * <ul>
 *   <li>leaf = {@code keccak256(bytes.concat(keccak256(abi.encode(index, account, amount))))}
 *       (hashed twice, so no 64-byte inner node can pass for a leaf);
 *   <li>leaves sorted by hash, laid out as a complete binary tree in an array (the last leaf
 *       first at the end), each inner node the keccak256 of its two children in ascending order.
 * </ul>
 *
 * <pre>{@code
 * MerkleTree tree = MerkleTree.of(payouts);
 * List<Bytes32> proof = tree.proof(0); // for payouts.get(0)
 * assert MerkleTree.verify(proof, tree.root(), MerkleTree.leaf(payouts.get(0)));
 * }</pre>
 */
public final class MerkleTree {
  private final Bytes32[] nodes;
  private final int[] treeIndexOfPayout;

  private MerkleTree(Bytes32[] nodes, int[] treeIndexOfPayout) {
    this.nodes = nodes;
    this.treeIndexOfPayout = treeIndexOfPayout;
  }

  /**
   * @param payouts at least one; the position in this list is what {@link #proof(int)} takes
   * @throws IllegalArgumentException if {@code payouts} is empty or two payouts are the same leaf
   */
  public static MerkleTree of(List<Payout> payouts) {
    Objects.requireNonNull(payouts, "payouts");
    int n = payouts.size();
    if (n == 0) {
      throw new IllegalArgumentException("a Merkle tree needs at least one payout");
    }
    Bytes32[] leaves = new Bytes32[n];
    Integer[] byHash = new Integer[n];
    for (int i = 0; i < n; i++) {
      leaves[i] = leaf(payouts.get(i));
      byHash[i] = i;
    }
    Arrays.sort(byHash, (a, b) -> leaves[a].compareTo(leaves[b]));

    Bytes32[] nodes = new Bytes32[2 * n - 1];
    int[] treeIndexOfPayout = new int[n];
    for (int k = 0; k < n; k++) {
      int payout = byHash[k];
      if (k > 0 && leaves[payout].equals(leaves[byHash[k - 1]])) {
        throw new IllegalArgumentException("payouts " + byHash[k - 1] + " and " + payout + " are the same leaf");
      }
      int treeIndex = nodes.length - 1 - k;
      nodes[treeIndex] = leaves[payout];
      treeIndexOfPayout[payout] = treeIndex;
    }
    for (int i = nodes.length - 1 - n; i >= 0; i--) {
      nodes[i] = hashPair(nodes[2 * i + 1], nodes[2 * i + 2]);
    }
    return new MerkleTree(nodes, treeIndexOfPayout);
  }

  /** The root that the distributor stores for the settlement. */
  public Bytes32 root() {
    return nodes[0];
  }

  /** How many payouts (leaves) the tree holds. */
  public int size() {
    return treeIndexOfPayout.length;
  }

  /**
   * The sibling hashes from the payout's leaf up to the root, as {@code claim} takes them.
   *
   * @param position the payout's position in the list the tree was built from
   * @throws IndexOutOfBoundsException if there is no such payout
   */
  public List<Bytes32> proof(int position) {
    Objects.checkIndex(position, treeIndexOfPayout.length);
    List<Bytes32> proof = new ArrayList<>();
    for (int i = treeIndexOfPayout[position]; i > 0; i = (i - 1) / 2) {
      proof.add(nodes[i % 2 == 1 ? i + 1 : i - 1]);
    }
    return List.copyOf(proof);
  }

  /** The double-hashed leaf of a payout. */
  public static Bytes32 leaf(Payout payout) {
    byte[] encoded = new byte[96];
    word(BigInteger.valueOf(payout.index()), encoded, 0);
    word(Numeric.toBigInt(payout.account()), encoded, 32);
    word(payout.amount(), encoded, 64);
    return Bytes32.of(Hash.sha3(Hash.sha3(encoded)));
  }

  /** OpenZeppelin's {@code MerkleProof.processProof} followed by a comparison with the root. */
  public static boolean verify(List<Bytes32> proof, Bytes32 root, Bytes32 leaf) {
    Bytes32 hash = leaf;
    for (Bytes32 sibling : proof) {
      hash = hashPair(hash, sibling);
    }
    return hash.equals(root);
  }

  private static Bytes32 hashPair(Bytes32 a, Bytes32 b) {
    Bytes32 lo = a.compareTo(b) <= 0 ? a : b;
    Bytes32 hi = lo == a ? b : a;
    byte[] pair = new byte[64];
    System.arraycopy(lo.unsafeBytes(), 0, pair, 0, 32);
    System.arraycopy(hi.unsafeBytes(), 0, pair, 32, 32);
    return Bytes32.of(Hash.sha3(pair));
  }

  private static void word(BigInteger value, byte[] into, int offset) {
    byte[] bytes = Numeric.toBytesPadded(value, 32);
    System.arraycopy(bytes, 0, into, offset, 32);
  }
}
