package org.sparkgrid.settlement.ledger;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable 32-byte value (a hash, a Merkle root, a settlement id), written as 0x and 64
 * lower-case hex digits. Ordered as unsigned big-endian numbers, which is how OpenZeppelin's
 * {@code MerkleProof} sorts the two halves of a pair.
 */
public final class Bytes32 implements Comparable<Bytes32> {
  private static final HexFormat HEX = HexFormat.of();
  private final byte[] bytes;

  private Bytes32(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static Bytes32 of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != 32) {
      throw new IllegalArgumentException("a Bytes32 needs 32 bytes, got " + bytes.length);
    }
    return new Bytes32(bytes.clone());
  }

  /**
   * @param hex 64 hex digits, with or without a leading 0x
   * @throws IllegalArgumentException if {@code hex} is not 64 hex digits
   */
  public static Bytes32 fromHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    if (digits.length() != 64) {
      throw new IllegalArgumentException("a Bytes32 needs 64 hex digits, got '" + hex + "'");
    }
    try {
      return new Bytes32(HEX.parseHex(digits));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not hex: '" + hex + "'", e);
    }
  }

  /** A copy of the 32 bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** 0x and 64 lower-case hex digits. */
  public String hex() {
    return "0x" + HEX.formatHex(bytes);
  }

  /** Whether all 32 bytes are zero (an unpublished root on chain reads as zero). */
  public boolean isZero() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  byte[] unsafeBytes() {
    return bytes;
  }

  @Override
  public int compareTo(Bytes32 other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bytes32 other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
