package org.sparkgrid.settlement.signing;

import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.settlement.chain.ChainKey;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

/**
 * Ethereum personal-message signatures (EIP-191: Keccak-256 of {@code "\x19Ethereum Signed
 * Message:\n" + length + message}, signed with secp256k1), what {@code personal_sign}, ethers'
 * {@code wallet.signMessage} and {@code cast wallet sign} make. The one implementation of core's
 * {@link MessageSigner} and {@link SignatureRecovery}; site updates, requests, control commands and
 * events are all signed through it.
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
    Sign.SignatureData sig = new Sign.SignatureData(v, Arrays.copyOfRange(rsv, 0, 32), Arrays.copyOfRange(rsv, 32, 64));
    try {
      return Numeric.prependHexPrefix(Keys.getAddress(Sign.signedPrefixedMessageToKey(message, sig)));
    } catch (SignatureException | RuntimeException e) {
      throw new IllegalArgumentException("signature recovers no public key: " + e.getMessage(), e);
    }
  }
}
