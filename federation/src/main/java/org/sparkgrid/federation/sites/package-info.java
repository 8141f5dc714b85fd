/**
 * Federations: the federation file (sites, where their data lives, their accounts and the allowlist,
 * {@link org.sparkgrid.federation.sites.FederationFile#parse}), the operator's registry of them
 * ({@link org.sparkgrid.federation.sites.FederationRegistry}, each entry a
 * {@link org.sparkgrid.federation.sites.RegisteredFederation} with its reward cap and token budget),
 * and what a request may take from one ({@link org.sparkgrid.federation.sites.FederationGrant#narrow}).
 */
package org.sparkgrid.federation.sites;
