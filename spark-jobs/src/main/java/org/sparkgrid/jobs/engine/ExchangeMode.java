package org.sparkgrid.jobs.engine;

import java.util.Locale;

/**
 * How the workers of {@link AveragingEngine} average, set by {@code spark.sparkgrid.engine.exchange}.
 *
 * <pre>{@code
 * ExchangeMode.of("peers");   // PEERS, the default
 * }</pre>
 */
public enum ExchangeMode {
  /**
   * Reduce-scatter then all-gather between the workers ({@link PeerExchange}): each of W workers
   * averages one W-th of the vector, and sends and receives about {@code 2 (W - 1) / W} of it per
   * averaging whatever W; the driver only tells the workers where their peers listen. Executors must
   * reach each other on ephemeral ports.
   */
  PEERS,
  /**
   * Every worker sends its whole vector to the driver's {@link ExchangeServer}, which computes the mean
   * and sends it back: the driver moves {@code 2 W} vectors per averaging. For clusters whose executors
   * cannot reach each other, only the driver.
   */
  DRIVER;

  /** The mode a config value names, case-insensitively. */
  public static ExchangeMode of(String name) {
    for (ExchangeMode m : values()) {
      if (m.name().equalsIgnoreCase(name.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException("spark.sparkgrid.engine.exchange must be one of peers, driver. Current value is \""
        + name + "\".");
  }

  /** The name as config spells it. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
