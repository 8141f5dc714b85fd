package org.sparkgrid.core.auth;

/**
 * Recovers who signed a message (the inverse of {@link MessageSigner#sign}). A signature of other
 * bytes (a body changed after signing) recovers some other account, never an error: compare the
 * result with the account you expect. Settlement's {@code PersonalSignatures.RECOVERY} is the
 * implementation.
 */
@FunctionalInterface
public interface SignatureRecovery {

  /**
   * The account ({@code 0x} and 40 lower-case hex digits) whose key signed {@code message}.
   *
   * @throws IllegalArgumentException if the signature is not {@code 0x} and 130 hex digits or
   *     recovers no key, saying which
   */
  String signer(byte[] message, String signature);
}
