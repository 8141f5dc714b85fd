package org.sparkgrid.federation.strategy;

import java.util.List;
import org.sparkgrid.core.request.FederationSpec;
import org.sparkgrid.core.request.StrategyCatalog;
import org.sparkgrid.core.request.StrategySpec;

/**
 * The federation module's {@link StrategyCatalog}: core's request codec asks it, through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/org.sparkgrid.core.request.StrategyCatalog}),
 * so that a request naming an unknown strategy or a bad parameter is refused when it is parsed.
 * Every answer comes from {@link Strategies}, the registry of the strategies' own declarations.
 */
public final class RegisteredStrategies implements StrategyCatalog {

  /** For {@link java.util.ServiceLoader}. */
  public RegisteredStrategies() {}

  @Override
  public List<String> types() {
    return Strategies.types();
  }

  /** Builds the strategy and drops it: building is the check. */
  @Override
  public void check(StrategySpec strategy) {
    Strategies.create(strategy);
  }

  @Override
  public void check(FederationSpec federation) {
    Strategies.create(federation);
  }
}
