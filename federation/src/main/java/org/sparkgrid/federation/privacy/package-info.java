/**
 * Differential privacy: accounting and noise. Start with
 * {@link org.sparkgrid.federation.privacy.RdpAccountant}: epsilon of the sampled Gaussian mechanism
 * after a number of rounds, by RDP. {@link org.sparkgrid.federation.privacy.GaussianNoise} draws the
 * noise from a {@link java.security.SecureRandom}.
 */
package org.sparkgrid.federation.privacy;
