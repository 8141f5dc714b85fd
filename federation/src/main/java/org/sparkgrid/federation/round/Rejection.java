package org.sparkgrid.federation.round;

/**
 * An update that was left out of a round, and why, e.g. {@code delta[3] is NaN}.
 *
 * @param siteId the site that sent it
 * @param reason what was wrong, for the round's event and the job's log
 */
public record Rejection(String siteId, String reason) {}
