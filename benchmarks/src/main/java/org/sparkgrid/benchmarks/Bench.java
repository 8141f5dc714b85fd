package org.sparkgrid.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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

  /** The value after {@code name} in {@code args} as an int, or {@code dflt}; names the flag if it is not a number. */
  static int intArg(String[] args, String name, int dflt) {
    String v = arg(args, name, null);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number. Current value is " + v, e);
    }
  }

  /**
   * A child JVM that runs {@code mainClass} with this JVM's java, classpath and flags (the
   * {@code --add-opens} of conf/jvm.options, the log4j configuration), except its heap size,
   * which is {@code maxHeap} (e.g. {@code "3g"}), and with {@code env} added to this process's
   * environment: for a setting that only holds when it is there before the JVM starts, such as
   * {@code OMP_NUM_THREADS} for ND4J. Not started yet.
   */
  static ProcessBuilder childJvm(Class<?> mainClass, List<String> args, Map<String, String> env, String maxHeap) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!flag.startsWith("-Xmx") && !flag.startsWith("-Xms") && !flag.startsWith("-agentlib:jdwp")) {
        command.add(flag);
      }
    }
    command.add("-Xmx" + maxHeap);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    return pb;
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
