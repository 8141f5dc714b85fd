package org.sparkgrid.core.request;

/**
 * How contributors are paid.
 *
 * @param poolPerRound token amount split per round (tree) or per job (compute), a non-negative
 *                     decimal integer in the token's smallest unit, as a string of at most 78 digits
 *                     that fits in 256 bits (required)
 * @param scoring      loss-improvement (the default), shapley or examples
 */
public record RewardSpec(String poolPerRound, String scoring) {}
