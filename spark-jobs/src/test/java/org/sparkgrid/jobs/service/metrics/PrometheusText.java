package org.sparkgrid.jobs.service.metrics;

import java.util.Optional;

/** Reads one sample out of a scrape in the Prometheus text format, for the tests. */
public final class PrometheusText {
  private PrometheusText() {}

  /**
   * The value of {@code series} (a name, with its labels as written: {@code sparkgrid_jobs{state="queued"}}),
   * or empty if the scrape has no such line.
   */
  public static Optional<Double> value(String scrape, String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim().split(" ")[0]));
  }
}
