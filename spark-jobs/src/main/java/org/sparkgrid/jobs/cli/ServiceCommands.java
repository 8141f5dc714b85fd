package org.sparkgrid.jobs.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkgrid.core.config.SparkGridConfig;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.SparkGridClient;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.events.JobEvent;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.ingest.kafka.KafkaHome;
import org.sparkgrid.jobs.resources.SparkContexts;
import org.sparkgrid.jobs.service.ClientKeys;
import org.sparkgrid.jobs.service.SparkGridService;
import org.sparkgrid.jobs.store.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The request service and its clients: {@code serve}, {@code submit}, {@code jobs}, {@code job}, {@code cancel},
 * {@code exclude-site}.
 */
final class ServiceCommands {
  private ServiceCommands() {}

  /**
   * The Kafka clients of the client commands: {@code spark.sparkgrid.kafka.*}, else the embedded
   * broker that {@code serve --embedded-kafka} recorded under the home (see {@link KafkaClients#fromConfig}).
   */
  static KafkaClients kafkaClients(SparkGridConfig config) {
    return KafkaClients.fromConfig(config);
  }

  static JobStore store(SparkGridConfig config) {
    return JdbcJobStore.open(config); // jobs.jdbcUrl (H2 under the home when empty), user, password, owner, lease
  }

  static SparkGridConfig config(SparkOptions spark) {
    spark.apply();
    return SparkContexts.sparkGridConfig(SparkContexts.conf("SparkGrid", "local[*]"));
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Run the request service: consume training requests from Kafka and run them on Spark.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--embedded-kafka", description = "Start a Kafka broker (KRaft) under SparkGrid's home")
    boolean embeddedKafka;

    @Option(names = "--secure", description = "With --embedded-kafka: a SASL_SSL listener (SCRAM-SHA-512), TLS"
        + " certificates and credentials made once under <home>/kafka/secure/security, and ACLs (as"
        + " spark.sparkgrid.kafka.embedded.secure=true). The client commands find the requester's settings in"
        + " <home>/kafka/client.properties.")
    boolean secure;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = config(spark);
      boolean secured = secure || config.get(SparkGridConfig.KAFKA_EMBEDDED_SECURE);
      if (secured && !embeddedKafka) {
        throw new IllegalArgumentException("--secure (or spark.sparkgrid.kafka.embedded.secure=true) secures the"
            + " embedded broker: add --embedded-kafka, or secure your own broker (docs/security-kafka.md)");
      }
      EmbeddedKafka kafka = null;
      KafkaClients clients;
      if (embeddedKafka) {
        KafkaHome home = KafkaHome.of(config);
        kafka = home.startBroker(secured, Topics.DEFAULT);
        clients = kafka.serviceClients().with(config.kafkaClientSettings());
        System.out.println("[sparkgrid] embedded Kafka broker at " + kafka.bootstrapServers()
            + (secured ? " (SASL_SSL, SCRAM-SHA-512, ACLs); requester settings in " + home.clientPropertiesFile() : ""));
      } else {
        clients = KafkaClients.fromConfig(config);
      }
      try (Admin admin = clients.admin("sparkgrid-serve")) {
        createTopics(admin, config.get(SparkGridConfig.KAFKA_REQUEST_PARTITIONS));
      }
      SparkConf conf = SparkContexts.conf("SparkGrid service", "local[*]");
      conf.setIfMissing("spark.scheduler.mode", "FAIR");
      try (JavaSparkContext sc = SparkContexts.start(conf);
          JobStore store = store(config);
          SparkGridService service = new SparkGridService(sc, config, clients, Topics.DEFAULT, store)) {
        sc.setLogLevel("WARN");
        Runtime.getRuntime().addShutdownHook(new Thread(service::close));
        service.start();
        System.out.println("[sparkgrid] service running; submit with: bin/sparkgrid submit REQUEST.json --wait");
        service.awaitTermination();
      } finally {
        if (kafka != null) {
          kafka.close();
        }
      }
      return 0;
    }
  }

  /**
   * Creates the missing topics (requests and control with {@code partitions} partitions, shared by the
   * service instances of one consumer group) and warns when the requests topic has fewer.
   */
  static void createTopics(Admin admin, int partitions) {
    Topics.DEFAULT.createForService(admin, partitions, (short) 1);
    int actual;
    try {
      actual = Topics.partitions(admin, Topics.DEFAULT.requests());
    } catch (org.apache.kafka.common.KafkaException e) {
      return; // no right to describe the topic: the warning is only advice
    }
    if (actual < partitions) {
      System.err.println("[sparkgrid] warning: topic " + Topics.DEFAULT.requests() + " has " + actual + " partition(s),"
          + " fewer than spark.sparkgrid.kafka.requestPartitions=" + partitions + ": at most " + actual
          + " service instance(s) take requests; raise it with kafka-topics.sh --alter --partitions " + partitions);
    }
  }

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = "Send a training request to the service, signed with the requester key (its id in the requester's"
          + " namespace, e.g. local.ID); with --wait, follow it to the end, believing only events the service signed.")
  static final class Submit implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The request JSON") String file;

    @Option(names = "--wait", description = "Follow the job to its end with a progress bar over its epochs; exit 0 if"
        + " it succeeded, 1 if it failed, was cancelled or timed out")
    boolean await;

    @Option(names = "--timeout-minutes", defaultValue = "600") long timeoutMinutes;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = config(spark);
      TrainingRequest request = TrainCommand.readRequest(file, new Configuration());
      kafkaClients(config); // a refused Kafka setting is said first, before the key is looked for
      ClientKeys.Requester requester = ClientKeys.requireRequester(config, System::getenv);
      System.out.println(requester.describe());
      // the clients are asked again while --wait follows: a restarted embedded broker's new address is taken up
      try (SparkGridClient client = ClientKeys.builder(config, () -> kafkaClients(config), requester)
          .topics(Topics.DEFAULT).build()) {
        SparkGridClient.Submission s = client.submit(request);
        System.out.printf("submitted %s (partition %d, offset %d)%n", s.jobId(), s.partition(), s.offset());
        if (!await) {
          return 0;
        }
        warnIfUnverified(client);
        try (WaitConsole console = new WaitConsole(System.out, s.jobId(), WaitView.of(request))) {
          Optional<JobEvent> end = client.follow(s.jobId(), Duration.ofMinutes(timeoutMinutes), console, console::dropped);
          if (end.isEmpty()) {
            console.close();
            System.err.println("sparkgrid: no final event for " + s.jobId() + " within " + timeoutMinutes + " min");
            return 1;
          }
          return console.exitStatus().orElse(1);
        }
      }
    }
  }

  /** The one line a follower prints when it believes every event (no service account known). */
  static void warnIfUnverified(SparkGridClient client) {
    if (client.serviceAccount().isEmpty()) {
      System.err.println("sparkgrid: warning: events are not verified: no service account (set"
          + " spark.sparkgrid.events.serviceAccount, or run where the service wrote <home>/keys/service.account)");
    }
  }

  @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List the service's jobs.")
  static final class Jobs implements Callable<Integer> {
    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() {
      SparkGridConfig config = config(spark);
      try (JobStore store = store(config)) {
        List<Job> jobs = store.list(JobFilter.all());
        System.out.print(JobSummary.table(jobs));
        return 0;
      }
    }
  }

  @Command(name = "job", mixinStandardHelpOptions = true,
      description = "Show one job: its state, times, result or error, and a sweep's leaderboard.")
  static final class JobCmd implements Callable<Integer> {
    @Parameters(paramLabel = "ID") String id;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() {
      SparkGridConfig config = config(spark);
      try (JobStore store = store(config)) {
        Job j = store.get(id).orElseThrow(() -> new IllegalArgumentException("no job '" + id + "' in the job store"));
        System.out.print(JobSummary.format(j));
        return 0;
      }
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a job through the control topic.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(paramLabel = "ID") String id;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = config(spark);
      kafkaClients(config); // a refused Kafka setting is said first, before the key is looked for
      ClientKeys.Requester requester = ClientKeys.requireRequester(config, System::getenv);
      System.out.println(requester.describe());
      try (SparkGridClient client = ClientKeys.builder(config, () -> kafkaClients(config), requester).build()) {
        client.cancel(id);
        System.out.println("cancel sent for " + id);
        return 0;
      }
    }
  }

  @Command(name = "exclude-site", mixinStandardHelpOptions = true,
      description = "Leave a site out of a running tree-mode job's next rounds, through the control topic.")
  static final class ExcludeSite implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "JOB") String job;

    @Parameters(index = "1", paramLabel = "SITE") String site;

    @Mixin SparkOptions spark = new SparkOptions();

    @Override
    public Integer call() throws Exception {
      SparkGridConfig config = config(spark);
      Configuration hadoop = new Configuration();
      boolean already;
      // the service checks again; checking here too shows the admin why a command would be refused
      try (JobStore store = store(config)) {
        already = org.sparkgrid.jobs.service.ServiceControlHandler.checkExclusion(store,
            new org.sparkgrid.jobs.tree.SiteExclusions(Stores.checkpoints(config, hadoop)), hadoop,
            org.sparkgrid.jobs.tree.Federations.registry(config), job, site);
      } catch (IllegalStateException e) {
        throw new IllegalArgumentException(e.getMessage(), e); // a finished job, too few sites left: bad input here
      }
      if (already) {
        System.out.println(site + " is already excluded from " + job);
        return 0;
      }
      kafkaClients(config); // a refused Kafka setting is said first, before the key is looked for
      ClientKeys.Requester requester = ClientKeys.requireRequester(config, System::getenv);
      System.out.println(requester.describe());
      try (SparkGridClient client = ClientKeys.builder(config, () -> kafkaClients(config), requester).build()) {
        client.excludeSite(job, site);
      }
      System.out.println("exclude-site sent: " + site + " trains in no round of " + job + " after the current one"
          + " (a site-excluded event confirms it)");
      return 0;
    }
  }
}
