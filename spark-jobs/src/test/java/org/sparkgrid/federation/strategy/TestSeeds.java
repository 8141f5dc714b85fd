package org.sparkgrid.federation.strategy;

/**
 * Test-only access to dp-fedavg's reproducible noise ({@code DpFedAvg.withTestSeed}, package-private),
 * for Spark tests that compare the merge range by range with the merge on the driver: with secure
 * noise the two would draw different noise. Lives in the test sources only.
 */
public final class TestSeeds {

  private TestSeeds() {}

  /** The strategy with noise from {@code seed} if it is dp-fedavg; any other strategy as it is. */
  public static AggregationStrategy seeded(AggregationStrategy s, long seed) {
    return s instanceof DpFedAvg dp ? dp.withTestSeed(seed) : s;
  }
}
