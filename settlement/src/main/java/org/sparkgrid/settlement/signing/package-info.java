/**
 * Tree-mode updates signed with a site's Ethereum key: start at
 * {@link org.sparkgrid.settlement.signing.UpdateSignatures}, which says what is signed, signs it,
 * and recovers the signer's address.
 */
package org.sparkgrid.settlement.signing;
