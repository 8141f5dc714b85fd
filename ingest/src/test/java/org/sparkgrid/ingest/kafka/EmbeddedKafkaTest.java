package org.sparkgrid.ingest.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  @TempDir
  Path dir;

  @Test
  void startsProducesConsumesAndStops() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(dir, Duration.ofSeconds(90));
    try {
      String bootstrap = kafka.bootstrapServers();
      try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        p.send(new ProducerRecord<>("hello", "k".getBytes(UTF_8), "world".getBytes(UTF_8))).get();
      }
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
          new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        TopicPartition tp = new TopicPartition("hello", 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (got.isEmpty() && System.nanoTime() < deadline) {
          c.poll(Duration.ofMillis(200)).forEach(got::add);
        }
      }
      assertThat(got).hasSize(1);
      assertThat(new String(got.get(0).value(), UTF_8)).isEqualTo("world");
      assertThat(Files.readString(dir.resolve("server.properties"))).contains("process.roles=broker,controller");
    } finally {
      kafka.close();
    }
    assertThat(kafka.isRunning()).isFalse();
  }
}
