package org.sparkgrid.jobs.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.kafka.KafkaClients;

/**
 * Starts a SparkGrid main class in a child JVM as the launcher would (conf/jvm.options, the log
 * configuration, one ND4J thread, Spark on 127.0.0.1, the test's classpath), logging to {@code log}:
 * what the restart ITs kill with SIGKILL.
 */
public final class ServiceProcess {
  private ServiceProcess() {}

  /**
   * What the first {@code serve} on {@code config}'s home makes, made before a test's service starts
   * (so that its client can sign and verify from the start): the operator's admin
   * {@value ServiceAuth#LOCAL} with its key, and the service's key; the service uses them as they are.
   */
  public static void operatorKeys(SparkGridConfig config) throws IOException {
    ServiceAuth.createLocalRequester(config);
    ServiceKey.load(config);
  }

  /**
   * A client as {@code bin/sparkgrid submit} makes it: signing as the operator's admin (request ids
   * become {@code local.<id>}), believing only the service's events.
   */
  public static SparkGridClient client(SparkGridConfig config, Supplier<KafkaClients> clients) throws IOException {
    return ClientKeys.builder(config, clients, ClientKeys.requireRequester(config, name -> null)).build();
  }

  /**
   * @param mainClass the class to run
   * @param args      its arguments
   * @param log       stdout and stderr together
   */
  public static Process start(Class<?> mainClass, List<String> args, Path log) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx2g");
    for (String flag : Files.readAllLines(Path.of("..", "conf", "jvm.options"))) {
      if (!flag.isBlank() && !flag.startsWith("#")) {
        cmd.add(flag.strip());
      }
    }
    cmd.add("-Dlog4j2.configurationFile=" + Path.of("..", "conf", "log4j2.properties").toAbsolutePath());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }
}
