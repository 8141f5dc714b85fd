package org.sparkgrid.jobs.tree;

import java.io.Serializable;

/**
 * What a site sends back after a round: only its update, never its data.
 *
 * @param siteId   the site
 * @param delta    its parameters after local training minus the round's global parameters
 * @param examples examples it trained on (per epoch)
 * @param loss     mean training loss of its last local epoch
 * @param seconds  wall time of its local training
 */
public record SiteResult(String siteId, float[] delta, long examples, double loss, double seconds)
    implements Serializable {}
