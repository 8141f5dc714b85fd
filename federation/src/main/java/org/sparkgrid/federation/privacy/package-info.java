/**
 * Differential-privacy accounting. Start with {@link org.sparkgrid.federation.privacy.RdpAccountant}:
 * epsilon of the sampled Gaussian mechanism after a number of rounds, by RDP.
 */
package org.sparkgrid.federation.privacy;
