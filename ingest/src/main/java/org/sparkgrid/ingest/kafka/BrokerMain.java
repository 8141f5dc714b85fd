package org.sparkgrid.ingest.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;

/**
 * The main class of the embedded broker's child JVM: runs {@code kafka.Kafka} with its arguments,
 * and stops the broker when the JVM that started it is gone, so a service killed with SIGKILL
 * leaves no orphan broker holding the data directory's lock. Linux gives Java no
 * {@code PR_SET_PDEATHSIG}; instead a daemon thread watches two signs of the parent's death: the
 * child's standard input (a pipe from the parent, which the kernel closes when the parent dies)
 * reaching its end, and the parent's pid (system property {@value #PARENT_PID_PROPERTY}) no longer
 * alive. Either one makes the broker exit through {@code System.exit(0)}, which runs Kafka's own
 * shutdown hook (a clean shutdown that closes the logs and the metadata log); if that takes longer
 * than {@value #HALT_AFTER_MS} ms the JVM halts.
 *
 * <p>{@link EmbeddedKafka} copies this class alone into {@code <dir>/launcher} and runs it there
 * ahead of the broker's jars, so it uses the JDK only and reaches Kafka by reflection:
 *
 * <pre>{@code
 * java -Dsparkgrid.broker.parentPid=4242 -cp <dir>/launcher:<broker jars> \
 *     org.sparkgrid.ingest.kafka.BrokerMain <dir>/server.properties
 * }</pre>
 */
public final class BrokerMain {

  /** The system property with the pid of the JVM that started the broker. */
  public static final String PARENT_PID_PROPERTY = "sparkgrid.broker.parentPid";

  /** How often the parent's pid is checked. */
  static final long POLL_MS = 500;

  /** How long a clean shutdown after the parent's death may take before the JVM halts. */
  static final long HALT_AFTER_MS = 30_000;

  private BrokerMain() {}

  /**
   * Starts the parent watcher, then {@code kafka.Kafka.main(args)}.
   *
   * @throws Exception whatever {@code kafka.Kafka.main} throws
   */
  public static void main(String[] args) throws Exception {
    String parent = System.getProperty(PARENT_PID_PROPERTY);
    long parentPid = parent == null ? -1 : Long.parseLong(parent);
    Thread stdin = new Thread(() -> watchStdin(System.in), "sparkgrid-parent-stdin-watch");
    stdin.setDaemon(true);
    stdin.start();
    if (parentPid > 0) {
      Thread pid = new Thread(() -> watchPid(parentPid), "sparkgrid-parent-pid-watch");
      pid.setDaemon(true);
      pid.start();
    }
    try {
      Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** Reads (and drops) standard input until its end: the parent closed it or died. */
  static void watchStdin(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // the parent writes nothing; keep reading until the pipe closes
      }
    } catch (IOException e) {
      // a broken pipe is the parent's death too
    }
    parentGone("its standard input closed");
  }

  /** Polls the parent's pid until it is no longer alive. */
  static void watchPid(long parentPid) {
    while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
    parentGone("process " + parentPid + " is gone");
  }

  private static synchronized void parentGone(String why) {
    System.err.println("[sparkgrid] the broker's parent JVM is gone (" + why + "): stopping the broker");
    Thread halt = new Thread(() -> {
      try {
        Thread.sleep(HALT_AFTER_MS);
      } catch (InterruptedException e) {
        return;
      }
      System.err.println("[sparkgrid] the broker did not stop within " + HALT_AFTER_MS + " ms: halting");
      Runtime.getRuntime().halt(1);
    }, "sparkgrid-broker-halt");
    halt.setDaemon(true);
    halt.start();
    System.exit(0);
  }
}
