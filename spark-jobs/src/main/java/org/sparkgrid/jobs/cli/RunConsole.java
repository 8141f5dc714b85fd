package org.sparkgrid.jobs.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import org.sparkgrid.core.reward.Contribution;
import org.sparkgrid.jobs.compute.ComputeJob;
import org.sparkgrid.jobs.compute.SweepRunner;
import org.sparkgrid.jobs.run.RunResult;
import org.sparkgrid.jobs.tree.FederationRunner;

/**
 * What {@code train} and {@code federate} print when a run ends: the test figures, a sweep's
 * leaderboard or a federation's sites, and where the model was registered.
 */
final class RunConsole {
  private RunConsole() {}

  static void print(RunResult result, PrintStream out) {
    String registered = "model " + result.version().name() + "@" + result.version().version() + " registered at "
        + result.version().uri();
    if (result instanceof SweepRunner.Result r) {
      out.print(r.leaderboard().table());
      out.println(registered + " (trial " + r.winner().trial() + ")");
      return;
    }
    if (result instanceof FederationRunner.Result r) {
      if (r.evaluation() != null) {
        out.printf("test accuracy %.4f after %d rounds%n", r.evaluation().accuracy(), r.state().round());
      }
      sites(r, out);
    } else if (result instanceof ComputeJob.Result r && r.evaluation() != null) {
      out.println(r.evaluation().summary());
      out.printf("test accuracy %.4f%n", r.evaluation().accuracy());
    }
    out.println(registered);
  }

  /** Each site's examples, example share and loss improvement, summed over the rounds. */
  private static void sites(FederationRunner.Result r, PrintStream out) {
    Map<String, double[]> totals = new TreeMap<>();
    for (Contribution c : r.state().contributions()) {
      double[] t = totals.computeIfAbsent(c.siteId(), k -> new double[3]);
      t[0] += c.numExamples();
      t[1] += c.exampleShare();
      t[2] += Double.isNaN(c.lossImprovement()) ? 0 : c.lossImprovement();
    }
    out.printf("%-12s %12s %14s %18s%n", "SITE", "EXAMPLES", "SHARE (sum)", "LOSS IMPROVEMENT");
    totals.forEach((site, t) -> out.printf("%-12s %12.0f %14.3f %18.5f%n", site, t[0], t[1], t[2]));
  }
}
