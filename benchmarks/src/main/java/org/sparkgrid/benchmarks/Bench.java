package org.sparkgrid.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/** What every benchmark main shares. */
final class Bench {
  private Bench() {}

  /** A benchmark body. */
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs the body and exits the JVM: Spark's barrier tasks leave a non-daemon timer thread behind
   * (spark-submit ends its JVM the same way). Exit status 1 and the stack trace if the body throws.
   */
  static void runThenExit(Body body) {
    int status = 0;
    try {
      body.run();
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  /** The value after {@code name} in {@code args}, or {@code dflt}. */
  static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }

  /** Removes a run's temporary directory (broker data, job store, models), reporting what it could not. */
  static void deleteQuietly(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      System.err.println("could not remove " + dir + ": " + e.getMessage());
    }
  }

  /** The shortest of {@code repeats} timed runs, in seconds, after one untimed warm-up run. */
  static double best(int repeats, Runnable run) {
    double best = Double.MAX_VALUE;
    for (int i = 0; i < repeats + 1; i++) {
      long t0 = System.nanoTime();
      run.run();
      double s = (System.nanoTime() - t0) / 1e9;
      if (i > 0) {
        best = Math.min(best, s);
      }
    }
    return best;
  }
}
