package org.sparkgrid.settlement.ledger;

import java.math.BigDecimal;
import java.math.BigInteger;

/** What a reward pool is split in proportion to. */
public enum Weighting {
  /**
   * The contribution score, taken as the decimal that {@link Double#toString(double)} prints
   * (so 0.3 weighs exactly 3/10), which makes the split reproducible on any JVM.
   */
  SCORE {
    @Override
    BigDecimal weight(Payee c) {
      return BigDecimal.valueOf(c.score());
    }
  },
  /** The number of training examples: sites holding more data earn more, whatever they scored. */
  EXAMPLES {
    @Override
    BigDecimal weight(Payee c) {
      return new BigDecimal(BigInteger.valueOf(c.examples()));
    }
  };

  abstract BigDecimal weight(Payee c);
}
