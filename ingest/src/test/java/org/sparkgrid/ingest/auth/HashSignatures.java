package org.sparkgrid.ingest.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.sparkgrid.core.auth.SignatureRecovery;

/**
 * A stand-in signature scheme for the Authorizer's unit tests (the real one, secp256k1 in settlement,
 * is tested end to end in spark-jobs): a "signature" is 0x + the account's 40 hex digits + the
 * SHA-256 of the message (64) + 26 zeros. It recovers the account only over the message it was made
 * for; over other bytes it recovers another account, as a real signature does.
 */
final class HashSignatures {
  private HashSignatures() {}

  static String sign(String account, byte[] message) {
    return "0x" + account.substring(2) + sha(message) + "0".repeat(26);
  }

  static final SignatureRecovery RECOVERY = (message, signature) -> {
    String sha = signature.substring(42, 106);
    return sha.equals(sha(message)) ? "0x" + signature.substring(2, 42) : "0x" + sha(message).substring(0, 40);
  };

  private static String sha(byte[] m) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(m));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
