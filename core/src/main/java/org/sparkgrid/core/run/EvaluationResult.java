package org.sparkgrid.core.run;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A classifier's scores on a test set. Immutable: the arrays are copied in and out.
 *
 * <p>Per class {@code c}: precision = correct predictions of c / predictions of c, recall =
 * correct predictions of c / examples of c, F1 = their harmonic mean. A ratio whose denominator is
 * 0 (a class never predicted, or absent from the test set) counts as 0, as in scikit-learn with
 * {@code zero_division=0}. Macro F1 is the unweighted mean of the per-class F1 over ALL classes
 * (DL4J's {@code Evaluation.f1()} instead leaves such undefined classes out of its mean).
 *
 * @param accuracy  correct predictions / examples
 * @param loss      mean cross-entropy per example, {@code -sum_c label_c * ln(p_c)}
 * @param examples  the number of test examples
 * @param precision per-class precision, indexed by class
 * @param recall    per-class recall, indexed by class
 * @param f1        per-class F1, indexed by class
 * @param macroF1   mean of {@code f1}
 * @param confusion {@code confusion[actual][predicted]} example counts
 */
public record EvaluationResult(
    double accuracy,
    double loss,
    long examples,
    double[] precision,
    double[] recall,
    double[] f1,
    double macroF1,
    int[][] confusion) implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Copies the arrays, so that the result cannot change after it is made. */
  public EvaluationResult {
    precision = precision.clone();
    recall = recall.clone();
    f1 = f1.clone();
    confusion = deepCopy(confusion);
  }

  /**
   * Computes the scores from a confusion matrix and a summed loss.
   *
   * @param confusion {@code confusion[actual][predicted]} example counts, square
   * @param lossSum   the cross-entropy summed over all examples
   * @return the scores
   * @throws IllegalArgumentException if the matrix is not square or holds no examples
   */
  public static EvaluationResult fromCounts(int[][] confusion, double lossSum) {
    int n = confusion.length;
    long examples = 0;
    long correct = 0;
    long[] actual = new long[n];
    long[] predicted = new long[n];
    for (int a = 0; a < n; a++) {
      if (confusion[a].length != n) {
        throw new IllegalArgumentException("confusion must be square: row " + a + " has " + confusion[a].length
            + " columns, not " + n);
      }
      for (int p = 0; p < n; p++) {
        examples += confusion[a][p];
        actual[a] += confusion[a][p];
        predicted[p] += confusion[a][p];
      }
      correct += confusion[a][a];
    }
    if (examples == 0) {
      throw new IllegalArgumentException("the test set holds no examples");
    }
    double[] precision = new double[n];
    double[] recall = new double[n];
    double[] f1 = new double[n];
    double f1Sum = 0;
    for (int c = 0; c < n; c++) {
      precision[c] = ratio(confusion[c][c], predicted[c]);
      recall[c] = ratio(confusion[c][c], actual[c]);
      f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
      f1Sum += f1[c];
    }
    return new EvaluationResult(
        (double) correct / examples, lossSum / examples, examples, precision, recall, f1, f1Sum / n, confusion);
  }

  /** The number of classes. */
  public int numClasses() {
    return confusion.length;
  }

  @Override
  public double[] precision() {
    return precision.clone();
  }

  @Override
  public double[] recall() {
    return recall.clone();
  }

  @Override
  public double[] f1() {
    return f1.clone();
  }

  @Override
  public int[][] confusion() {
    return deepCopy(confusion);
  }

  /**
   * The scores as plain maps, lists and numbers, for {@code metrics.json}: keys {@code accuracy},
   * {@code loss}, {@code examples}, {@code macroF1}, {@code precision}, {@code recall}, {@code f1}
   * (lists indexed by class) and {@code confusion} (rows = actual class, columns = predicted).
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("accuracy", accuracy);
    map.put("loss", loss);
    map.put("examples", examples);
    map.put("macroF1", macroF1);
    map.put("precision", Arrays.stream(precision).boxed().toList());
    map.put("recall", Arrays.stream(recall).boxed().toList());
    map.put("f1", Arrays.stream(f1).boxed().toList());
    List<List<Integer>> rows = new ArrayList<>();
    for (int[] row : confusion) {
      rows.add(Arrays.stream(row).boxed().toList());
    }
    map.put("confusion", rows);
    return map;
  }

  /**
   * Reads what {@link #toMap} wrote.
   *
   * @throws IllegalArgumentException if a key is missing, or {@code confusion} is not a square
   *     matrix of whole numbers with as many classes as the per-class lists
   */
  public static EvaluationResult fromMap(Map<?, ?> m) {
    int[][] confusion = confusionOf(m.get("confusion"));
    double[] precision = JsonFields.numbers(m.get("precision"));
    double[] recall = JsonFields.numbers(m.get("recall"));
    double[] f1 = JsonFields.numbers(m.get("f1"));
    Double accuracy = JsonFields.number(m, "accuracy");
    Double loss = JsonFields.number(m, "loss");
    Long examples = JsonFields.whole(m, "examples");
    Double macroF1 = JsonFields.number(m, "macroF1");
    if (accuracy == null || loss == null || examples == null || macroF1 == null) {
      throw new IllegalArgumentException("evaluation: accuracy, loss, examples and macroF1 must be numbers, got " + m);
    }
    int n = confusion.length;
    if (precision.length != n || recall.length != n || f1.length != n) {
      throw new IllegalArgumentException("evaluation: precision, recall and f1 must have " + n
          + " classes (the confusion matrix's), got " + precision.length + ", " + recall.length + ", " + f1.length);
    }
    return new EvaluationResult(accuracy, loss, examples, precision, recall, f1, macroF1, confusion);
  }

  /** {@code confusion[actual][predicted]}. @throws IllegalArgumentException if it is not a square matrix of whole numbers */
  private static int[][] confusionOf(Object value) {
    if (!(value instanceof List<?> rows) || rows.isEmpty()) {
      throw new IllegalArgumentException("evaluation: confusion must be a non-empty list of rows, got " + value);
    }
    int n = rows.size();
    int[][] m = new int[n][];
    for (int a = 0; a < n; a++) {
      double[] row = JsonFields.numbers(rows.get(a));
      if (row.length != n) {
        throw new IllegalArgumentException("evaluation: confusion row " + a + " has " + row.length
            + " cells, the matrix " + n + " rows");
      }
      m[a] = new int[n];
      for (int p = 0; p < n; p++) {
        if (!Double.isFinite(row[p]) || row[p] != Math.rint(row[p])) {
          throw new IllegalArgumentException("evaluation: confusion[" + a + "][" + p + "] must be a whole number,"
              + " got " + row[p]);
        }
        m[a][p] = (int) row[p];
      }
    }
    return m;
  }

  /** A few lines for the console: accuracy, loss, macro F1, then one line per class. */
  public String summary() {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "accuracy %.4f  loss %.4f  macro F1 %.4f  examples %d%n", accuracy, loss, macroF1, examples));
    out.append(String.format(Locale.ROOT, "%6s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1", "support"));
    for (int c = 0; c < confusion.length; c++) {
      out.append(String.format(Locale.ROOT, "%6d %9.4f %9.4f %9.4f %9d%n",
          c, precision[c], recall[c], f1[c], Arrays.stream(confusion[c]).asLongStream().sum()));
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvaluationResult r
        && Double.compare(accuracy, r.accuracy) == 0
        && Double.compare(loss, r.loss) == 0
        && examples == r.examples
        && Arrays.equals(precision, r.precision)
        && Arrays.equals(recall, r.recall)
        && Arrays.equals(f1, r.f1)
        && Double.compare(macroF1, r.macroF1) == 0
        && Arrays.deepEquals(confusion, r.confusion);
  }

  @Override
  public int hashCode() {
    return 31 * Double.hashCode(accuracy) + Arrays.deepHashCode(confusion);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "EvaluationResult[accuracy=%.4f, loss=%.4f, examples=%d, macroF1=%.4f]",
        accuracy, loss, examples, macroF1);
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? 0 : (double) numerator / denominator;
  }

  private static int[][] deepCopy(int[][] matrix) {
    int[][] copy = new int[matrix.length][];
    for (int i = 0; i < matrix.length; i++) {
      copy[i] = matrix[i].clone();
    }
    return copy;
  }
}
