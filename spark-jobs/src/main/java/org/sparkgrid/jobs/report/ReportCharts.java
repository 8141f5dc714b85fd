package org.sparkgrid.jobs.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The report's plots, drawn with XChart and returned as PNG {@code data:} URIs, so that the page
 * is one self-contained file. Each method returns {@code null} when there is nothing to draw.
 */
final class ReportCharts {
  static final int WIDTH = 760;
  static final int HEIGHT = 360;
  private static final String PNG_DATA_URI = "data:image/png;base64,";
  /** Axis and bar labels: thousands separated, at most 4 decimals (not 0.857831220160903). */
  private static final String DECIMALS = "#,##0.####";

  private ReportCharts() {}

  /**
   * A line chart over whole-number x values (epochs, rounds); NaN points are left out of their
   * series, and a series with no finite point is left out.
   *
   * @param series name to y values, each as long as {@code x}
   */
  static String lines(String title, String xTitle, String yTitle, double[] x, Map<String, double[]> series) {
    XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setMarkerSize(6);
    chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> v == Math.rint(v) ? Long.toString(v.longValue()) : "");
    boolean any = false;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < x.length && i < e.getValue().length; i++) {
        if (Double.isFinite(e.getValue()[i])) {
          xs.add(x[i]);
          ys.add(e.getValue()[i]);
        }
      }
      if (!xs.isEmpty()) {
        chart.addSeries(e.getKey(), xs, ys);
        any = true;
      }
    }
    chart.getStyler().setLegendVisible(chart.getSeriesMap().size() > 1);
    return any ? dataUri(chart) : null;
  }

  /**
   * A bar chart: one group of bars per category, one bar per series.
   *
   * @param series name to values, each as long as {@code categories}; NaN drawn as 0
   */
  static String bars(String title, String xTitle, String yTitle, List<String> categories, Map<String, double[]> series) {
    if (categories.isEmpty() || series.isEmpty()) {
      return null;
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setLegendVisible(series.size() > 1);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLabelsVisible(categories.size() <= 20);
    chart.getStyler().setXAxisLabelRotation(categories.size() > 8 ? 45 : 0);
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      List<Double> ys = new ArrayList<>();
      for (double v : e.getValue()) {
        ys.add(Double.isFinite(v) ? v : 0.0);
      }
      chart.addSeries(e.getKey(), categories, ys);
    }
    return dataUri(chart);
  }

  /**
   * A stacked bar chart: one bar per category, made of one segment per series (in the map's
   * order, bottom first).
   *
   * @param series name to values, each as long as {@code categories}; NaN drawn as 0
   */
  static String stackedBars(String title, String xTitle, String yTitle, List<String> categories,
      Map<String, double[]> series) {
    if (categories.isEmpty() || series.isEmpty()) {
      return null;
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
        .yAxisTitle(yTitle).build();
    style(chart.getStyler());
    chart.getStyler().setStacked(true);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setXAxisLabelRotation(categories.size() > 20 ? 45 : 0);
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      List<Double> ys = new ArrayList<>();
      for (double v : e.getValue()) {
        ys.add(Double.isFinite(v) ? v : 0.0);
      }
      chart.addSeries(e.getKey(), categories, ys);
    }
    return dataUri(chart);
  }

  /**
   * A confusion matrix as a heat map: actual classes down (class 0 at the top), predicted across,
   * each cell labelled with its count (up to 20 classes; beyond, the shading alone).
   *
   * @param confusion {@code confusion[actual][predicted]}, square
   */
  static String confusion(String title, int[][] confusion) {
    int n = confusion.length;
    if (n == 0) {
      return null;
    }
    int cell = Math.max(28, Math.min(56, 560 / n));
    HeatMapChart chart = new HeatMapChartBuilder().width(cell * n + 220).height(cell * n + 150).title(title)
        .xAxisTitle("predicted class").yAxisTitle("actual class").build();
    style(chart.getStyler());
    chart.getStyler().setShowValue(n <= 20);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setHeatMapValueDecimalPattern("#");
    chart.getStyler().setRangeColors(new Color[] {new Color(0xf7fbff), new Color(0x9ecae1), new Color(0x4292c6)});
    chart.getStyler().setValueFontColor(Color.BLACK);
    List<Integer> predicted = new ArrayList<>();
    List<Integer> actual = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      predicted.add(c);
      actual.add(n - 1 - c);
    }
    List<Number[]> cells = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      for (int p = 0; p < n; p++) {
        cells.add(new Number[] {p, n - 1 - a, confusion[a][p]});
      }
    }
    chart.addSeries("examples", predicted, actual, cells);
    return dataUri(chart);
  }

  private static void style(AxesChartStyler s) {
    s.setYAxisDecimalPattern(DECIMALS);
    s.setDecimalPattern(DECIMALS);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(false);
    s.setChartTitleBoxVisible(false);
    s.setAntiAlias(true);
  }

  /** The chart as a PNG {@code data:} URI. */
  static String dataUri(Chart<?, ?> chart) {
    try {
      return PNG_DATA_URI + Base64.getEncoder().encodeToString(
          BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the plot '" + chart.getTitle() + "' as PNG", e);
    }
  }
}
