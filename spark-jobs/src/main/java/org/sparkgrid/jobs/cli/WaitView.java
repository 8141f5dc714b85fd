package org.sparkgrid.jobs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.events.JobEvent;

/**
 * What {@code submit --wait} shows for each of a job's events, as plain data: a line to print,
 * where the epoch bar stands, and at the end the exit status (0 succeeded; 1 failed, cancelled or
 * timed out). Epochs move the bar (compute mode); rounds (tree mode), trials and lifecycle events
 * are lines. No I/O here: {@link WaitConsole} draws it.
 *
 * <pre>{@code
 * WaitView view = WaitView.of(request);
 * WaitView.Update u = view.on(event);   // an epoch: bar at 3 (of 10), "loss 0.4123, accuracy 0.8512" beside it
 * }</pre>
 */
final class WaitView {

  /**
   * What to show for one event.
   *
   * @param line       a line to print, or null
   * @param barAt      epochs done, for the bar; -1 to leave the bar as it is
   * @param barMessage the text beside the bar, or null to leave it
   * @param exitStatus the command's exit status once the job is over, else null
   */
  record Update(String line, int barAt, String barMessage, Integer exitStatus) {
    static Update line(String line) {
      return new Update(line, -1, null, null);
    }

    static Update end(String line, int status) {
      return new Update(line, -1, null, status);
    }
  }

  private final boolean rounds;
  private final int total;

  /**
   * @param rounds whether the job counts rounds (tree mode) rather than epochs
   * @param total  epochs or rounds in all
   */
  WaitView(boolean rounds, int total) {
    this.rounds = rounds;
    this.total = total;
  }

  /** The view of a request: its rounds in tree mode, else its epochs. */
  static WaitView of(TrainingRequest r) {
    return r.federation() != null ? new WaitView(true, r.federation().rounds())
        : new WaitView(false, r.training().epochs());
  }

  /** Epochs in all (the bar's length); 0 in tree mode, which draws no bar. */
  int barLength() {
    return rounds ? 0 : total;
  }

  Update on(JobEvent event) {
    JobEvent.Payload p = event.payload();
    if (p instanceof JobEvent.Queued q) {
      return Update.line("queued" + (q.priority() == 0 ? "" : " with priority " + q.priority()));
    } else if (p instanceof JobEvent.Duplicate d) {
      return Update.line("a job with this id exists (" + d.existingState()
          + (d.sameRequest() ? "" : ", with a different request") + "): not run again; showing that job");
    } else if (p instanceof JobEvent.Started s) {
      if (s.attempt() > 1) {
        return Update.line("resumed from its last checkpoint (attempt " + s.attempt() + ")");
      }
      return new Update("started", rounds ? -1 : 0, null, null); // the epoch bar starts at 0
    } else if (p instanceof JobEvent.Epoch e) {
      // the bar shows "k/n" itself; beside it, the loss and accuracy (short: the bar takes what is left)
      return rounds ? Update.line("round " + e.epoch() + "/" + total + ": " + figures(e.metrics()))
          : new Update(null, e.epoch(), figures(lossAndAccuracy(e.metrics())), null);
    } else if (p instanceof JobEvent.Round r) {
      Map<String, Double> m = new LinkedHashMap<>(r.metrics());
      m.put("sitesAccepted", (double) r.accepted().size());
      m.put("sitesSelected", (double) (r.accepted().size() + r.rejected().size()));
      return Update.line("round " + (r.round() + 1) + "/" + r.rounds() + ": " + figures(m)
          + (r.rejected().isEmpty() ? "" : " (left out: " + String.join(", ", new java.util.TreeSet<>(r.rejected().keySet())) + ")"));
    } else if (p instanceof JobEvent.SiteExcluded x) {
      return Update.line("site " + x.site() + " excluded from the next rounds");
    } else if (p instanceof JobEvent.Waiting w) {
      return Update.line("waiting for capacity: " + w.reason());
    } else if (p instanceof JobEvent.Trial t) {
      return Update.line("trial " + t.trial() + " (" + overrides(t.overrides()) + "): "
          + (t.error() != null ? "failed: " + t.error() : figures(t.metrics())));
    } else if (p instanceof JobEvent.Succeeded s) {
      return Update.end("succeeded: model " + s.model() + "@" + s.modelVersion()
          + (s.metrics().isEmpty() ? "" : " (" + figures(s.metrics()) + ")"), 0);
    } else if (p instanceof JobEvent.Failed f) {
      return Update.end("failed: " + f.reason(), 1);
    } else if (p instanceof JobEvent.Cancelled c) {
      return Update.end("cancelled " + (c.wasRunning() ? "while running" : "before it started"), 1);
    } else if (p instanceof JobEvent.TimedOut t) {
      return Update.end("timed out in phase " + t.phase(), 1);
    }
    throw new IllegalArgumentException("unknown event type " + p.type()); // the payload interface is sealed
  }

  /**
   * Metrics as text, the well-known ones first in a fixed order and short form, e.g.
   * {@code loss 0.4123, accuracy 0.8512, 1520 examples/s}; any others after, by name.
   */
  static String figures(Map<String, Double> metrics) {
    Map<String, Double> m = new TreeMap<>(metrics);
    List<String> parts = new ArrayList<>();
    take(m, "trainLoss").ifPresent(v -> parts.add(fmt("loss %.4f", v)));
    take(m, "loss").ifPresent(v -> parts.add(fmt("loss %.4f", v)));
    take(m, "testAccuracy").ifPresent(v -> parts.add(fmt("accuracy %.4f", v)));
    take(m, "accuracy").ifPresent(v -> parts.add(fmt("accuracy %.4f", v)));
    take(m, "testLoss").ifPresent(v -> parts.add(fmt("test loss %.4f", v)));
    take(m, "examplesPerSecond").ifPresent(v -> parts.add(fmt("%.0f examples/s", v)));
    Optional<Double> selected = take(m, "sitesSelected");
    take(m, "sitesAccepted").ifPresent(v -> parts.add(fmt("%.0f", v)
        + selected.map(n -> fmt(" of %.0f", n)).orElse("") + " sites merged"));
    take(m, "seconds").ifPresent(v -> parts.add(fmt("%.1f s", v)));
    m.forEach((k, v) -> parts.add(k + " " + fmt("%.4f", v)));
    return parts.isEmpty() ? "no figures" : String.join(", ", parts);
  }

  private static Map<String, Double> lossAndAccuracy(Map<String, Double> metrics) {
    Map<String, Double> m = new TreeMap<>(metrics);
    m.keySet().retainAll(List.of("trainLoss", "testAccuracy"));
    return m;
  }

  private static Optional<Double> take(Map<String, Double> m, String name) {
    return Optional.ofNullable(m.remove(name));
  }

  private static String fmt(String format, double v) {
    return String.format(Locale.ROOT, format, v);
  }

  private static String overrides(Map<String, Object> o) {
    return new TreeMap<>(o).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
