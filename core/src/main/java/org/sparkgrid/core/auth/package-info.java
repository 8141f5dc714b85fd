/**
 * Who signed a Kafka record. Start at {@link org.sparkgrid.core.auth.SignedMessage}: the exact
 * text a requester signs for a request or a control command, and the service for an event, and the
 * headers that carry the signature. {@link org.sparkgrid.core.auth.MessageSigner} and
 * {@link org.sparkgrid.core.auth.SignatureRecovery} are the two sides of the secp256k1 (EIP-191)
 * scheme; settlement implements them with Web3j, so this package stays free of it.
 */
package org.sparkgrid.core.auth;
