package org.sparkgrid.ingest.kafka;

import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;
import org.sparkgrid.ingest.Topics;

/**
 * A stand-in for {@code bin/sparkgrid serve --embedded-kafka [--secure]} run as its own JVM by
 * {@link EmbeddedKafkaSurvivesServiceTest}: starts the embedded broker the way serve does
 * ({@link KafkaHome#startBroker}), creates SparkGrid's topics, prints {@code READY <address>} and
 * waits to be killed.
 *
 * <pre>{@code
 * java -cp <test classpath> org.sparkgrid.ingest.kafka.BrokerServiceStandIn /tmp/home/kafka secure
 * }</pre>
 */
public final class BrokerServiceStandIn {
  private BrokerServiceStandIn() {}

  public static void main(String[] args) throws Exception {
    KafkaHome home = new KafkaHome(Path.of(args[0]));
    boolean secure = args.length > 1 && args[1].equals("secure");
    EmbeddedKafka kafka = home.startBroker(secure, Topics.DEFAULT);
    try (Admin admin = kafka.serviceClients().admin("stand-in")) {
      Topics.DEFAULT.createMissing(admin, 1, (short) 1);
    }
    System.out.println("READY " + kafka.bootstrapServers());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
