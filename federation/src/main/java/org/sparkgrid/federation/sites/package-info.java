/**
 * The federation file: sites, where their data lives, their accounts and the allowlist. Start at
 * {@link org.sparkgrid.federation.sites.FederationFile#parse}.
 */
package org.sparkgrid.federation.sites;
