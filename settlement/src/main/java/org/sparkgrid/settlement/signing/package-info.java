/**
 * Ethereum personal-message signatures (EIP-191, secp256k1): start at
 * {@link org.sparkgrid.settlement.signing.PersonalSignatures}, the one place messages are signed and
 * signers recovered (core's {@code MessageSigner} and {@code SignatureRecovery}). Tree-mode updates
 * sign the digest of {@link org.sparkgrid.settlement.signing.UpdateSignatures}; requests, control
 * commands and events sign core's {@code SignedMessage} text. {@link
 * org.sparkgrid.settlement.signing.LocalKeys} makes and keeps the keys SparkGrid holds for itself under
 * its home (the service's, the operator's requester key).
 */
package org.sparkgrid.settlement.signing;
