package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.request.StrategySpec;

/** Test fixtures: updates written inline, strategies from type and params. */
final class Updates {

  private Updates() {}

  static SiteUpdate u(String site, long examples, float... delta) {
    return new SiteUpdate(site, delta, examples);
  }

  static AggregationStrategy strategy(String type, Object... nameValue) {
    Map<String, Object> params = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) {
      params.put((String) nameValue[i], nameValue[i + 1]);
    }
    return Strategies.create(new StrategySpec(type, params));
  }

  /**
   * The strategy with reproducible noise from {@code seed} where it draws any (dp-fedavg, through its
   * package-private {@code withTestSeed}); any other strategy as it is. For tests that compare two merge
   * paths, which with secure noise would draw different noise.
   */
  static AggregationStrategy seeded(AggregationStrategy s, long seed) {
    return s instanceof DpFedAvg dp ? dp.withTestSeed(seed) : s;
  }

  /**
   * 10 sites of 4 parameters: 8 honest ones near {@code h = [1, -1, 0.5, 2]} (h plus 0.01 * k on each
   * coordinate, k = -4..3) and 2 Byzantine: site 8 sends {@code 100 h}, site 9 sends {@code -h}.
   */
  static List<SiteUpdate> byzantine() {
    float[] h = {1, -1, 0.5f, 2};
    List<SiteUpdate> out = new ArrayList<>();
    for (int k = 0; k < 8; k++) {
      float[] d = new float[4];
      for (int i = 0; i < 4; i++) {
        d[i] = h[i] + 0.01f * (k - 4);
      }
      out.add(u("honest-" + k, 100, d));
    }
    out.add(u("scaled", 100, 100 * h[0], 100 * h[1], 100 * h[2], 100 * h[3]));
    out.add(u("flipped", 100, -h[0], -h[1], -h[2], -h[3]));
    return out;
  }

  /** The plain mean of the 8 honest deltas of {@link #byzantine()}: h - 0.005. */
  static float[] honestMean() {
    return new float[] {0.995f, -1.005f, 0.495f, 1.995f};
  }
}
