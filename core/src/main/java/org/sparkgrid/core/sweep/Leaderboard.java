package org.sparkgrid.core.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The trials of a sweep and how they rank: the best by {@code select} is the one registered.
 *
 * <p>Ranking: succeeded trials with a finite value of the selected metric first, best first
 * ({@code accuracy}: higher is better; {@code loss}: lower is better), equal values in trial order
 * (the lower trial number wins a tie); then succeeded trials without that metric, then failed
 * trials, each in trial order.
 *
 * <pre>{@code
 * Leaderboard board = new Leaderboard("grid", "accuracy", outcomes);
 * TrialOutcome winner = board.best().orElseThrow();
 * System.out.print(board.table());
 * }</pre>
 *
 * @param method grid or random, as the sweep says (shown, not used for ranking)
 * @param select accuracy or loss
 * @param trials the finished trials, in any order
 */
public record Leaderboard(String method, String select, List<TrialOutcome> trials) {

  public Leaderboard {
    Objects.requireNonNull(method, "method");
    if (!select.equals(TrialOutcome.ACCURACY) && !select.equals(TrialOutcome.LOSS)) {
      throw new IllegalArgumentException("select must be accuracy or loss, got " + select);
    }
    trials = List.copyOf(trials);
  }

  /** Best first, as the class javadoc says. */
  public List<TrialOutcome> ranked() {
    return trials.stream().sorted(order()).toList();
  }

  /** The trial to register: the best succeeded trial with a finite selected metric; empty if none has one. */
  public Optional<TrialOutcome> best() {
    return ranked().stream().findFirst().filter(this::rankable);
  }

  /** Whether {@code a} ranks strictly above {@code b}. */
  public boolean better(TrialOutcome a, TrialOutcome b) {
    return order().compare(a, b) < 0;
  }

  private Comparator<TrialOutcome> order() {
    Comparator<TrialOutcome> byGroup = Comparator.comparingInt(o -> rankable(o) ? 0 : o.status() == TrialOutcome.Status.SUCCEEDED ? 1 : 2);
    Comparator<TrialOutcome> byMetric = (a, b) -> {
      if (!rankable(a) || !rankable(b)) {
        return 0;
      }
      int c = Double.compare(a.metric(select), b.metric(select));
      return select.equals(TrialOutcome.ACCURACY) ? -c : c;
    };
    return byGroup.thenComparing(byMetric).thenComparingInt(TrialOutcome::trial);
  }

  private boolean rankable(TrialOutcome o) {
    return o.status() == TrialOutcome.Status.SUCCEEDED && Double.isFinite(o.metric(select));
  }

  /**
   * The leaderboard as plain JSON values, as kept in a job's result and a model's metrics:
   * {@code {"method":"grid","select":"accuracy","winner":2,"trials":[rows best first]}}, where
   * {@code winner} is the best trial's number ({@code null} if none succeeded) and each row is
   * {@link TrialOutcome#toMap}.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("method", method);
    m.put("select", select);
    m.put("winner", best().map(TrialOutcome::trial).orElse(null));
    m.put("trials", ranked().stream().map(TrialOutcome::toMap).toList());
    return m;
  }

  /**
   * Reads what {@link #toMap} wrote.
   *
   * @throws IllegalArgumentException if it is not a leaderboard, naming what is missing
   */
  public static Leaderboard fromMap(Map<?, ?> m) {
    if (!(m.get("method") instanceof String method) || !(m.get("select") instanceof String select)
        || !(m.get("trials") instanceof List<?> rows)) {
      throw new IllegalArgumentException("a leaderboard needs method, select and trials, got keys " + m.keySet());
    }
    List<TrialOutcome> trials = new ArrayList<>();
    for (Object row : rows) {
      if (!(row instanceof Map<?, ?> r)) {
        throw new IllegalArgumentException("a leaderboard row must be an object, got " + row);
      }
      trials.add(TrialOutcome.fromMap(r));
    }
    return new Leaderboard(method, select, trials);
  }

  /**
   * A fixed-width table, best first, one line per trial, the winner marked with {@code *}:
   *
   * <pre>
   * RANK  TRIAL  STATUS     ACCURACY  LOSS    TRAIN_S  OVERRIDES
   * 1 *   2      succeeded  0.7810    0.6177  1.9      training.updater.learningRate=0.005
   * 2     1      succeeded  0.7240    0.7902  1.8      training.updater.learningRate=0.001
   * -     0      failed     -         -       -        training.updater.learningRate=5  error: ...
   * </pre>
   */
  public String table() {
    StringBuilder b = new StringBuilder();
    String format = "%-5s %-6s %-10s %-9s %-7s %-8s %s%n";
    b.append(String.format(Locale.ROOT, format, "RANK", "TRIAL", "STATUS", "ACCURACY", "LOSS", "TRAIN_S",
        "OVERRIDES"));
    Integer winner = best().map(TrialOutcome::trial).orElse(null);
    int rank = 0;
    for (TrialOutcome o : ranked()) {
      String place = rankable(o) ? ++rank + (Objects.equals(winner, o.trial()) ? " *" : "") : "-";
      String overrides = o.overridesText();
      if (o.error() != null) {
        overrides += "  error: " + o.error().lines().findFirst().orElse("");
      }
      b.append(String.format(Locale.ROOT, format, place, o.trial(), o.status().wire(),
          figure(o, TrialOutcome.ACCURACY, 4), figure(o, TrialOutcome.LOSS, 4), figure(o, TrialOutcome.TRAIN_SECONDS, 1),
          overrides));
    }
    return b.toString();
  }

  private static String figure(TrialOutcome o, String metric, int decimals) {
    double v = o.metric(metric);
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
  }
}
