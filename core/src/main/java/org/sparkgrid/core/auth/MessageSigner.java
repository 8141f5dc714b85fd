package org.sparkgrid.core.auth;

/**
 * Signs messages with one account's key: an Ethereum personal message (EIP-191, {@code
 * personal_sign}), so a requester may equally sign with ethers' {@code wallet.signMessage}, a
 * hardware wallet or {@code cast wallet sign}. Settlement's {@code PersonalSignatures.signer(key)}
 * is the implementation.
 *
 * <pre>{@code
 * MessageSigner signer = PersonalSignatures.signer(ChainKey.fromKeystore(keystore, passwordFile));
 * byte[] message = SignedMessage.message(SignedMessage.Kind.REQUEST, "alice.job-1", now, nonce, body);
 * String signature = signer.sign(message);     // 0x + r, s, v: 130 hex digits
 * }</pre>
 */
public interface MessageSigner {

  /** The signing account: {@code 0x} and 40 lower-case hex digits. */
  String account();

  /** The signature of {@code message}: {@code 0x} then r, s and v (65 bytes, 130 hex digits). */
  String sign(byte[] message);
}
