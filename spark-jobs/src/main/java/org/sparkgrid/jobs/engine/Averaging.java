package org.sparkgrid.jobs.engine;

import java.util.ArrayList;
import java.util.List;
import org.sparkgrid.core.math.WeightedAverage;

/** The merge of one sync step: the example-weighted mean of the workers' vectors. Pure. */
final class Averaging {
  private Averaging() {}

  /**
   * Averages the vectors of the messages, each weighted by its example count; messages of weight
   * 0 take no part.
   *
   * @param messages every worker's allGather text, in partition order
   * @return the weighted mean, or {@code null} if every weight is 0
   * @throws IllegalArgumentException if two non-empty vectors differ in length
   */
  static float[] merge(String[] messages) {
    List<float[]> vectors = new ArrayList<>(messages.length);
    long[] weights = new long[messages.length];
    int n = 0;
    for (String text : messages) {
      VectorMessage m = VectorMessage.decode(text);
      if (m.weight() > 0) {
        vectors.add(m.vector());
        weights[n++] = m.weight();
      }
    }
    if (n == 0) {
      return null;
    }
    if (n == 1) {
      return vectors.get(0);
    }
    return WeightedAverage.average(vectors, java.util.Arrays.copyOf(weights, n));
  }
}
