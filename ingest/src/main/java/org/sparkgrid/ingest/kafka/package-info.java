/**
 * SparkGrid's Kafka clients and its embedded broker. Start with
 * {@link org.sparkgrid.ingest.kafka.KafkaClients}, the one factory of every producer, consumer and
 * admin client (brokers, the {@code spark.sparkgrid.kafka.client.*} pass-through, the settings
 * SparkGrid fixes); then {@link org.sparkgrid.ingest.kafka.EmbeddedKafka}, which runs the broker's own
 * main as a child JVM for {@code bin/sparkgrid serve --embedded-kafka}, plaintext or secured
 * ({@code --secure}: SASL_SSL with SCRAM-SHA-512, certificates, ACLs), and
 * {@link org.sparkgrid.ingest.kafka.KafkaHome}, where serve keeps it and records it for the clients.
 * The broker's JVM runs {@link org.sparkgrid.ingest.kafka.BrokerMain}, which stops the broker when
 * the JVM that started it is gone (even killed with SIGKILL).
 * The secured broker's material is made by the package-private {@code BrokerSecurity}.
 */
package org.sparkgrid.ingest.kafka;
