package org.sparkgrid.federation.round;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sparkgrid.federation.strategy.SiteUpdate;

/**
 * Splits a round's updates into accepted and rejected before aggregation. An update is rejected,
 * with the first reason that applies, when:
 * <ol>
 *   <li>its site already sent one this round ({@code duplicate update from site s2}): the first is
 *       kept, so an update that a retried Spark task sent twice counts once;
 *   <li>its length differs from the global parameters' ({@code has 3 values, expected 4});
 *   <li>it has no examples ({@code numExamples is 0; must be >= 1});
 *   <li>a value is NaN or infinite ({@code delta[3] is NaN});
 *   <li>its control-variate delta (SCAFFOLD), where it sends one, has another length or a value that is
 *       NaN or infinite ({@code controlDelta has 3 values, expected 4}, {@code controlDelta[0] is Infinity});
 *   <li>an extra {@link UpdateCheck} finds a problem (allowlist, signature), in the order given.
 * </ol>
 */
public final class UpdateValidation {

  private UpdateValidation() {}

  /**
   * What validation found.
   *
   * @param accepted the updates that passed, in their original order
   * @param rejected the others with their reasons, in their original order
   */
  public record Result(List<SiteUpdate> accepted, List<Rejection> rejected) {

    /** Copies the lists. */
    public Result {
      accepted = List.copyOf(accepted);
      rejected = List.copyOf(rejected);
    }
  }

  /**
   * Validates the updates against the global parameters' length.
   *
   * @param length      the number of global parameters
   * @param extraChecks run after the built-in ones, on updates that passed them
   */
  public static Result validate(List<SiteUpdate> updates, int length, List<UpdateCheck> extraChecks) {
    List<SiteUpdate> accepted = new ArrayList<>();
    List<Rejection> rejected = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (SiteUpdate u : updates) {
      String problem = seen.add(u.siteId()) ? problem(u, length, extraChecks) : "duplicate update from site " + u.siteId();
      if (problem == null) {
        accepted.add(u);
      } else {
        rejected.add(new Rejection(u.siteId(), problem));
      }
    }
    return new Result(accepted, rejected);
  }

  /** The first problem of one update, or null. */
  static String problem(SiteUpdate u, int length, List<UpdateCheck> extraChecks) {
    float[] d = u.delta();
    if (d.length != length) {
      return "has " + d.length + " values, expected " + length;
    }
    if (u.numExamples() < 1) {
      return "numExamples is " + u.numExamples() + "; must be >= 1";
    }
    for (int i = 0; i < d.length; i++) {
      if (!Float.isFinite(d[i])) {
        return "delta[" + i + "] is " + d[i];
      }
    }
    float[] c = u.controlDelta();
    if (c != null && c.length != length) {
      return "controlDelta has " + c.length + " values, expected " + length;
    }
    for (int i = 0; c != null && i < c.length; i++) {
      if (!Float.isFinite(c[i])) {
        return "controlDelta[" + i + "] is " + c[i];
      }
    }
    for (UpdateCheck check : extraChecks) {
      Optional<String> p = check.problem(u);
      if (p.isPresent()) {
        return p.get();
      }
    }
    return null;
  }
}
