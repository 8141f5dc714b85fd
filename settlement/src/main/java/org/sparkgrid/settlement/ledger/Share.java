package org.sparkgrid.settlement.ledger;

import java.math.BigInteger;

/**
 * An account's part of a pool, in the token's smallest unit.
 *
 * @param site    the contributing site
 * @param account the paid address (lower case)
 * @param amount  {@code >= 0}
 */
public record Share(String site, String account, BigInteger amount) {}
