package org.sparkgrid.core.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkgrid.core.store.ModelStore;
import org.sparkgrid.core.sweep.Leaderboard;

/**
 * A registered model's {@code metrics.json}, as one record: what every mode writes and the report,
 * the CLI and the service read back. Absent parts are {@code null} (and left out of the file).
 *
 * <pre>{@code
 * RunMetrics m = RunMetrics.fromMap(StoreJson.read(models.open(version, ModelStore.METRICS_FILE), "metrics.json"));
 * System.out.println(m.accuracy() + " after " + (m.epochs() == null ? m.rounds().size() + " rounds" : m.epochs().size() + " epochs"));
 * }</pre>
 *
 * @param accuracy          final test accuracy ({@link ModelStore#ACCURACY}, what {@code @best} compares)
 * @param loss              final mean test loss
 * @param evaluation        the final test evaluation (confusion matrix, per-class scores)
 * @param epochs            compute mode: each epoch's figures, those before a resume included
 * @param trainSeconds      compute mode: training wall time summed over the epochs
 * @param examplesPerSecond compute mode: examples over {@code trainSeconds}
 * @param rounds            tree mode: each round's figures
 * @param sweep             a sweep: its leaderboard, the winner (the registered trial) included
 */
public record RunMetrics(Double accuracy, Double loss, EvaluationResult evaluation, List<EpochMetrics> epochs,
    Double trainSeconds, Double examplesPerSecond, List<RoundMetrics> rounds, Leaderboard sweep) {

  public RunMetrics {
    epochs = epochs == null ? null : List.copyOf(epochs);
    rounds = rounds == null ? null : List.copyOf(rounds);
  }

  /** Nothing recorded. */
  public static final RunMetrics EMPTY = new RunMetrics(null, null, null, null, null, null, null, null);

  /** A compute run's metrics: its final evaluation ({@code null} without a test set) and its epochs. */
  public static RunMetrics compute(EvaluationResult evaluation, List<EpochMetrics> epochs) {
    double seconds = epochs.stream().mapToDouble(EpochMetrics::trainSeconds).sum();
    long examples = epochs.stream().mapToLong(EpochMetrics::examples).sum();
    return new RunMetrics(evaluation == null ? null : evaluation.accuracy(),
        evaluation == null ? null : evaluation.loss(), evaluation, epochs, seconds,
        seconds > 0 ? examples / seconds : 0, null, null);
  }

  /** A tree run's metrics: its final evaluation ({@code null} without a test set) and its rounds. */
  public static RunMetrics tree(EvaluationResult evaluation, List<RoundMetrics> rounds) {
    return new RunMetrics(evaluation == null ? null : evaluation.accuracy(),
        evaluation == null ? null : evaluation.loss(), evaluation, null, null, null, rounds, null);
  }

  /** These metrics with a sweep's leaderboard. */
  public RunMetrics withSweep(Leaderboard board) {
    return new RunMetrics(accuracy, loss, evaluation, epochs, trainSeconds, examplesPerSecond, rounds, board);
  }

  /** Epochs, or none. */
  public List<EpochMetrics> epochsOrEmpty() {
    return epochs == null ? List.of() : epochs;
  }

  /** Rounds, or none. */
  public List<RoundMetrics> roundsOrEmpty() {
    return rounds == null ? List.of() : rounds;
  }

  /** As {@code metrics.json} holds it. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    JsonFields.putIfPresent(m, "accuracy", accuracy);
    JsonFields.putIfPresent(m, "loss", loss);
    if (epochs != null) {
      m.put("epochs", epochs.stream().map(EpochMetrics::toMap).toList());
    }
    JsonFields.putIfPresent(m, "trainSeconds", trainSeconds);
    JsonFields.putIfPresent(m, "examplesPerSecond", examplesPerSecond);
    JsonFields.putIfPresent(m, "evaluation", evaluation == null ? null : evaluation.toMap());
    if (rounds != null) {
      m.put("rounds", rounds.stream().map(RoundMetrics::toMap).toList());
    }
    JsonFields.putIfPresent(m, "sweep", sweep == null ? null : sweep.toMap());
    return m;
  }

  /**
   * Reads {@code metrics.json}, leniently: a part that is missing or cannot be read (a damaged
   * evaluation, an epoch row without its number) reads as absent.
   */
  public static RunMetrics fromMap(Map<?, ?> m) {
    return new RunMetrics(JsonFields.number(m, "accuracy"), JsonFields.number(m, "loss"),
        readOrNull(() -> EvaluationResult.fromMap(JsonFields.map(m, "evaluation"))),
        JsonFields.list(m, "epochs", EpochMetrics::fromMap), JsonFields.number(m, "trainSeconds"),
        JsonFields.number(m, "examplesPerSecond"), JsonFields.list(m, "rounds", RoundMetrics::fromMap),
        m.get("sweep") instanceof Map<?, ?> s ? readOrNull(() -> Leaderboard.fromMap(s)) : null);
  }

  private static <T> T readOrNull(java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
