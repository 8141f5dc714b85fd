/**
 * The job report: one self-contained HTML page per job, with its plots as embedded PNGs.
 *
 * <p>Start with {@link org.sparkgrid.jobs.report.JobReport}, which finds a job's registered model
 * version (or its run files when it has none yet) and writes the page. The page itself is built by
 * {@link org.sparkgrid.jobs.report.ReportPage} from {@link org.sparkgrid.jobs.report.ReportInputs}
 * ({@code metrics.json} and {@code lineage.json} read as core's {@code RunMetrics} and {@code Lineage},
 * and the request), so it can be tested on hand-made inputs; the plots are drawn
 * with XChart by {@link org.sparkgrid.jobs.report.ReportCharts}; per-site contributions and token
 * amounts come from {@link org.sparkgrid.jobs.report.SiteRewards}; a sweep's trials are read from
 * {@code metrics.json}'s {@code sweep} and ranked by core's {@link org.sparkgrid.core.sweep.Leaderboard}.
 */
package org.sparkgrid.jobs.report;
