package org.sparkgrid.jobs.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A sweep's trials, ranked by the request's {@code sweep.select} metric.
 *
 * <p>Read from a {@code leaderboard} list in {@code lineage.json} (or, failing that, in
 * {@code metrics.json}), one object per trial:
 *
 * <pre>{@code
 * "leaderboard": [
 *   {"index": 0, "overrides": {"training.updater.learningRate": 0.0005},
 *    "metrics": {"accuracy": 0.861, "loss": 0.392}, "status": "succeeded"},
 *   {"index": 1, "overrides": {"training.updater.learningRate": 0.005},
 *    "metrics": {}, "status": "failed", "error": "..."}
 * ]
 * }</pre>
 *
 * Trials whose select metric is a number are ranked by it (accuracy: highest first; loss: lowest
 * first); the others follow in index order. The first ranked trial is the best.
 *
 * @param select the metric trials are ranked by
 * @param trials ranked, best first
 */
public record Leaderboard(String select, List<Trial> trials) {

  /**
   * One trial.
   *
   * @param index     its number in the sweep
   * @param overrides request field to the value this trial tried
   * @param metrics   its figures, e.g. accuracy and loss
   * @param status    how it ended, as recorded (e.g. succeeded, failed)
   * @param error     why it failed; {@code null} if it did not
   */
  public record Trial(int index, Map<String, Object> overrides, Map<String, Object> metrics, String status,
      String error) {

    /** The metric's value; NaN if the trial has none. */
    public double metric(String name) {
      return JsonValues.num(metrics, name);
    }
  }

  /**
   * The leaderboard of a sweep's registered version; empty trials if it carries none.
   *
   * @param request the request, whose {@code sweep.select} names the metric (default accuracy)
   */
  public static Leaderboard of(Map<String, Object> lineage, Map<String, Object> metrics, Map<String, Object> request) {
    List<Map<String, Object>> rows = JsonValues.maps(lineage, "leaderboard");
    if (rows.isEmpty()) {
      rows = JsonValues.maps(metrics, "leaderboard");
    }
    String select = JsonValues.text(JsonValues.map(request, "sweep"), "select");
    String metric = select == null ? "accuracy" : select;
    List<Trial> trials = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> r = rows.get(i);
      double index = JsonValues.num(r, "index");
      trials.add(new Trial(Double.isNaN(index) ? i : (int) index, JsonValues.map(r, "overrides"),
          JsonValues.map(r, "metrics"), JsonValues.text(r, "status"), JsonValues.text(r, "error")));
    }
    Comparator<Trial> byMetric = Comparator.comparingDouble(t -> t.metric(metric));
    if (!"loss".equals(metric)) {
      byMetric = byMetric.reversed();
    }
    List<Trial> ranked = new ArrayList<>(trials.stream().filter(t -> Double.isFinite(t.metric(metric)))
        .sorted(byMetric.thenComparingInt(Trial::index)).toList());
    trials.stream().filter(t -> !Double.isFinite(t.metric(metric)))
        .sorted(Comparator.comparingInt(Trial::index)).forEach(ranked::add);
    return new Leaderboard(metric, ranked);
  }

  /** The best trial's index, if any trial has the select metric. */
  public java.util.OptionalInt best() {
    return trials.isEmpty() || !Double.isFinite(trials.get(0).metric(select)) ? java.util.OptionalInt.empty()
        : java.util.OptionalInt.of(trials.get(0).index());
  }
}
