/**
 * Splitting one dataset among simulated sites, as index math: start with
 * {@link org.sparkgrid.federation.split.DatasetSplits} (IID, Dirichlet label skew, k classes per site).
 */
package org.sparkgrid.federation.split;
