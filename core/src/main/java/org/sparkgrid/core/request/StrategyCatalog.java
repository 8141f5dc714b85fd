package org.sparkgrid.core.request;

import java.util.List;
import java.util.ServiceLoader;

/**
 * The aggregation strategies a request's {@code federation.strategy} may name, and their checks:
 * what {@link RequestCodec} asks, so that an unknown type or a bad parameter is refused when the
 * request is parsed, not when its job runs. Core knows no strategy itself; the federation module
 * provides the catalog, derived from the strategies' own declarations, and registers it for
 * {@link ServiceLoader} in {@code META-INF/services/org.sparkgrid.core.request.StrategyCatalog}.
 *
 * <pre>{@code
 * StrategyCatalog catalog = StrategyCatalog.installed();   // federation's, when it is on the classpath
 * catalog.types();                                          // [fedavg, fedavgm, ...]
 * catalog.check(new StrategySpec("trimmed-mean", Map.of("trim", 0.6)));
 * // InvalidRequestException: federation.strategy.trim: must be in [0, 0.5), got 0.6
 * }</pre>
 *
 * <p>Where none is installed (core used alone, e.g. by the ingest module), the codec uses
 * {@link #UNCHECKED}, which accepts any type and any parameters: they are then checked when the
 * job builds its strategy.
 */
public interface StrategyCatalog {

  /** Accepts every type and every parameter: the catalog of a classpath without the federation module. */
  StrategyCatalog UNCHECKED = new StrategyCatalog() {
    @Override
    public List<String> types() {
      return List.of();
    }

    @Override
    public void check(StrategySpec strategy) {}

    @Override
    public void check(FederationSpec federation) {}

    @Override
    public String toString() {
      return "StrategyCatalog.UNCHECKED";
    }
  };

  /**
   * The accepted values of {@code federation.strategy.type}, in the order of the reference; the
   * codec refuses any other with {@code must be one of <types>}. Empty only for {@link #UNCHECKED}.
   */
  List<String> types();

  /**
   * Checks a strategy's parameters; its type is one of {@link #types()}.
   *
   * @throws InvalidRequestException naming {@code federation.strategy.<parameter>} and the value, e.g.
   *     {@code federation.strategy.trim: must be in [0, 0.5), got 0.6}, for a missing required
   *     parameter, a value of the wrong type or out of range, or an unknown parameter
   */
  void check(StrategySpec strategy);

  /**
   * Checks the rules between the strategy and the other federation fields, e.g. that Krum's
   * {@code federation.minSites} is at least {@code 2f + 3}. The strategy has passed {@link #check(StrategySpec)}.
   *
   * @throws InvalidRequestException naming the federation field and its value
   */
  void check(FederationSpec federation);

  /**
   * The catalog registered for {@link ServiceLoader} on the classpath of this class, or
   * {@link #UNCHECKED} (with a warning, once) when there is none. Looked up once.
   *
   * @throws IllegalStateException if more than one is registered, naming them
   */
  static StrategyCatalog installed() {
    return InstalledStrategyCatalog.get();
  }
}
