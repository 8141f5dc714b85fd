/**
 * What a federation's sites are rewarded for: {@link org.sparkgrid.core.reward.Contribution}, one
 * site's part in one round. Federation's scoring makes them, settlement pays them, the report and
 * the CLI read them back from a model's lineage.
 */
package org.sparkgrid.core.reward;
