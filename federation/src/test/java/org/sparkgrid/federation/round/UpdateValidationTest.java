package org.sparkgrid.federation.round;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sparkgrid.federation.strategy.SiteUpdate;

class UpdateValidationTest {

  private static SiteUpdate u(String site, long examples, float... delta) {
    return new SiteUpdate(site, delta, examples);
  }

  @Test
  void rejectsBadUpdatesWithReasonsAndKeepsTheRestInOrder() {
    // Prepare
    List<SiteUpdate> updates = List.of(
        u("ok1", 5, 1, 2),
        u("nan", 5, 1, Float.NaN),
        u("inf", 5, Float.NEGATIVE_INFINITY, 0),
        u("short", 5, 1),
        u("empty", 0, 1, 2),
        u("ok2", 3, 0, 0),
        u("ok1", 5, 1, 2));

    // Execute
    UpdateValidation.Result r = UpdateValidation.validate(updates, 2, List.of());

    // Assert
    assertThat(r.accepted()).extracting(SiteUpdate::siteId).containsExactly("ok1", "ok2");
    assertThat(r.rejected()).containsExactly(
        new Rejection("nan", "delta[1] is NaN"),
        new Rejection("inf", "delta[0] is -Infinity"),
        new Rejection("short", "has 1 values, expected 2"),
        new Rejection("empty", "numExamples is 0; must be >= 1"),
        new Rejection("ok1", "duplicate update from site ok1"));
  }

  @Test
  void aControlDeltaOfAnotherLengthOrWithANonFiniteValueIsRejected() {
    List<SiteUpdate> updates = List.of(
        new SiteUpdate("ok", new float[] {1, 2}, 5, 3, new float[] {0.5f, -0.5f}),
        new SiteUpdate("short", new float[] {1, 2}, 5, 3, new float[] {0.5f}),
        new SiteUpdate("inf", new float[] {1, 2}, 5, 3, new float[] {0f, Float.POSITIVE_INFINITY}),
        new SiteUpdate("none", new float[] {1, 2}, 5, 3, null));

    UpdateValidation.Result r = UpdateValidation.validate(updates, 2, List.of());

    assertThat(r.accepted()).extracting(SiteUpdate::siteId).containsExactly("ok", "none");
    assertThat(r.rejected()).containsExactly(
        new Rejection("short", "controlDelta has 1 values, expected 2"),
        new Rejection("inf", "controlDelta[1] is Infinity"));
  }

  @Test
  void extraChecksAreTheHookForAllowlistsAndSignatures() {
    UpdateCheck allowlist = u -> u.siteId().startsWith("known-")
        ? Optional.empty() : Optional.of("site " + u.siteId() + " is not on the allowlist");

    UpdateValidation.Result r = UpdateValidation.validate(
        List.of(u("known-1", 1, 0), u("stranger", 1, 0)), 1, List.of(allowlist));

    assertThat(r.accepted()).extracting(SiteUpdate::siteId).containsExactly("known-1");
    assertThat(r.rejected()).containsExactly(new Rejection("stranger", "site stranger is not on the allowlist"));
  }
}
