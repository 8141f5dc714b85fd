package org.sparkgrid.jobs.service.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SparkGridMetricTest {

  @Test
  void micrometerNamesDropTheUnitAndTotalThatItsPrometheusConventionAddsBack() {
    assertThat(SparkGridMetric.QUEUE_DEPTH.micrometerName()).isEqualTo("sparkgrid.queue.depth");
    assertThat(SparkGridMetric.REQUEST_LATENCY.micrometerName()).isEqualTo("sparkgrid.request.latency");
    assertThat(SparkGridMetric.EPOCH_SECONDS.micrometerName()).isEqualTo("sparkgrid.epoch");
    assertThat(SparkGridMetric.EXAMPLES_PER_SECOND.micrometerName()).isEqualTo("sparkgrid.examples.per.second");
    assertThat(SparkGridMetric.DEAD_LETTERS.micrometerName()).isEqualTo("sparkgrid.dead.letters");
  }

  @Test
  void everyNameIsSnakeCaseUnderSparkgridWithItsUnitAndCountersEndInTotal() {
    for (SparkGridMetric m : SparkGridMetric.values()) {
      assertThat(m.prometheusName()).as(m.name()).matches("sparkgrid_[a-z_]+");
      m.unit().ifPresent(u -> assertThat(m.prometheusName()).endsWith("_" + u));
      assertThat(m.prometheusName().endsWith("_total")).as(m.name()).isEqualTo(m.type() == SparkGridMetric.Type.COUNTER);
      assertThat(m.help()).as(m.name()).isNotBlank().endsWith(".");
    }
  }

  @Test
  void theLabelsAreStateAndReason() {
    assertThat(SparkGridMetric.JOBS.label()).contains("state");
    assertThat(SparkGridMetric.DEAD_LETTERS.label()).contains("reason");
    assertThat(SparkGridMetric.QUEUE_DEPTH.label()).isEmpty();
  }

  @Test
  void theTableRowsNameTypeLabelAndMeaning() {
    String table = SparkGridMetric.markdownTable();

    assertThat(table.lines()).hasSize(2 + SparkGridMetric.values().length);
    assertThat(table).contains("| `sparkgrid_dead_letters_total` | counter | `reason` | Request records refused");
    assertThat(table).contains("| `sparkgrid_request_latency_seconds` | histogram |  | From a request record's");
  }

  @Test
  void docsMetricsMdHoldsTheGeneratedTable() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "metrics.md"));

    assertThat(doc).as("docs/metrics.md: paste SparkGridMetric.markdownTable() between the table markers")
        .contains("<!-- metrics-table -->\n" + SparkGridMetric.markdownTable() + "<!-- /metrics-table -->");
  }
}
