/**
 * Who may submit and control jobs: requests and control commands signed by a registered requester
 * (secp256k1, EIP-191, over {@link org.sparkgrid.core.auth.SignedMessage}), within its roles and
 * limits. Start at {@link org.sparkgrid.ingest.auth.Authorizer}, which decides; the operator's
 * {@link org.sparkgrid.ingest.auth.RequesterRegistry} (a JSON file, read again when it changes by
 * {@link org.sparkgrid.ingest.auth.RegistryFile}) says who is who. A refusal is an
 * {@link org.sparkgrid.ingest.auth.Unauthorized} whose message starts with its
 * {@link org.sparkgrid.ingest.auth.Denial}; the request consumer sends it to the dead-letter topic
 * as {@code unauthorized}, the control consumer answers it with a {@code command-refused} event.
 * See docs/security-requests.md.
 */
package org.sparkgrid.ingest.auth;
