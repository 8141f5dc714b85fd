package org.sparkgrid.settlement.signing;

import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.settlement.chain.ChainKey;
import fr.acinq.secp256k1.Secp256k1;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Ethereum personal-message signatures (EIP-191: Keccak-256 of {@code "\x19Ethereum Signed
 * Message:\n" + length + message}, signed with secp256k1), what {@code personal_sign}, ethers'
 * {@code wallet.signMessage} and {@code cast wallet sign} make. The one implementation of core's
 * {@link MessageSigner} and {@link SignatureRecovery}; site updates, requests, control commands and
 * events are all signed through it. Signers are recovered by libsecp256k1 (ACINQ's secp256k1-kmp,
 * through JNI) where its native library loads (Linux x86_64 and aarch64), else by Web3j's Java code;
 * both give the same account for every signature ({@code PersonalSignaturesTest}).
 *
 * <pre>{@code
 * MessageSigner signer = PersonalSignatures.signer(ChainKey.fromKeystore(keystore, passwordFile));
 * String signature = signer.sign(message);
 * String account = PersonalSignatures.RECOVERY.signer(message, signature);   // == signer.account()
 * }</pre>
 */
public final class PersonalSignatures {

  /** Recovers the signing account of a personal-message signature. */
  public static final SignatureRecovery RECOVERY = PersonalSignatures::signer;

  private static final Pattern SIGNATURE = Pattern.compile("0x[0-9a-fA-F]{130}");
  private static final Logger LOG = LoggerFactory.getLogger(PersonalSignatures.class);
  private static final Secp256k1 NATIVE = loadNative();

  private PersonalSignatures() {}

  /** A signer with {@code key}'s account. */
  public static MessageSigner signer(ChainKey key) {
    Objects.requireNonNull(key, "key");
    String account = key.address().toLowerCase(java.util.Locale.ROOT);
    return new MessageSigner() {
      @Override
      public String account() {
        return account;
      }

      @Override
      public String sign(byte[] message) {
        return PersonalSignatures.sign(key, message);
      }

      @Override
      public String toString() {
        return "signer " + account;
      }
    };
  }

  /** Signs {@code message} as a personal message: {@code 0x} + r, s, v in hex. */
  public static String sign(ChainKey key, byte[] message) {
    Objects.requireNonNull(message, "message");
    Sign.SignatureData sig = Sign.signPrefixedMessage(message, key.credentials().getEcKeyPair());
    byte[] rsv = new byte[65];
    System.arraycopy(sig.getR(), 0, rsv, 0, 32);
    System.arraycopy(sig.getS(), 0, rsv, 32, 32);
    rsv[64] = sig.getV()[0];
    return Numeric.toHexString(rsv);
  }

  /**
   * The account (0x and 40 lower-case hex digits) whose key signed {@code message}. A signature of
   * other bytes recovers some other account, never an error.
   *
   * @throws IllegalArgumentException if the signature is not 0x and 130 hex digits, or recovers no
   *     key (its v is not 27 or 28, or r and s are off the curve)
   */
  public static String signer(byte[] message, String signature) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(signature, "signature");
    if (!SIGNATURE.matcher(signature).matches()) {
      throw new IllegalArgumentException("signature must be 0x and 130 hex digits (r, s, v), got "
          + (signature.length() <= 20 ? "'" + signature + "'" : signature.length() + " characters"));
    }
    byte[] rsv = Numeric.hexStringToByteArray(signature);
    byte v = rsv[64];
    if (v != 27 && v != 28) {
      throw new IllegalArgumentException("signature's v must be 27 or 28, got " + (v & 0xff));
    }
    if (NATIVE != null) {
      byte[] publicKey;
      try {
        publicKey = NATIVE.ecdsaRecover(Arrays.copyOfRange(rsv, 0, 64), Sign.getEthereumMessageHash(message), v - 27);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("signature recovers no public key: " + e.getMessage(), e);
      }
      // an uncompressed point 0x04 || x || y; the account is the last 20 bytes of Keccak-256(x || y)
      byte[] hash = Hash.sha3(Arrays.copyOfRange(publicKey, 1, 65));
      return Numeric.toHexString(Arrays.copyOfRange(hash, 12, 32));
    }
    return web3jSigner(message, rsv);
  }

  /** The same recovery in Web3j's own Java code: the reference, and the fallback without the native library. */
  static String web3jSigner(byte[] message, byte[] rsv) {
    Sign.SignatureData sig = new Sign.SignatureData(rsv[64], Arrays.copyOfRange(rsv, 0, 32),
        Arrays.copyOfRange(rsv, 32, 64));
    try {
      return Numeric.prependHexPrefix(Keys.getAddress(Sign.signedPrefixedMessageToKey(message, sig)));
    } catch (SignatureException | RuntimeException e) {
      throw new IllegalArgumentException("signature recovers no public key: " + e.getMessage(), e);
    }
  }

  /** Whether signers are recovered by libsecp256k1 (else by Web3j's Java code, 4-6x slower). */
  public static boolean nativeRecovery() {
    return NATIVE != null;
  }

  private static Secp256k1 loadNative() {
    try {
      Secp256k1 lib = Secp256k1.get();
      LOG.debug("signatures recovered by libsecp256k1 (secp256k1-kmp)");
      return lib;
    } catch (Throwable t) { // no native library for this platform: UnsatisfiedLinkError, or its wrapper
      LOG.info("libsecp256k1 is not available here ({}); signatures are recovered by Web3j's Java code", t.toString());
      return null;
    }
  }
}
