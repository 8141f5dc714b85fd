package org.sparkgrid.jobs.service.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

  /** A raw HTTP/1.0 exchange: the whole response as text. */
  static String exchange(InetSocketAddress a, String method, String path) throws Exception {
    try (Socket s = new Socket(a.getAddress(), a.getPort())) {
      s.getOutputStream().write((method + " " + path + " HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(UTF_8));
      return new String(s.getInputStream().readAllBytes(), UTF_8);
    }
  }

  @Test
  void servesTheScrapeOnGetMetricsInTheTextFormat() throws Exception {
    try (MetricsEndpoint e = MetricsEndpoint.start("127.0.0.1", 0, () -> "# TYPE x gauge\nx 1.0\n")) {
      String response = exchange(e.address(), "GET", "/metrics");

      assertThat(response).startsWith("HTTP/1.1 200 ")
          .containsIgnoringCase("content-type: text/plain; version=0.0.4; charset=utf-8\r\n")
          .endsWith("\r\n\r\n# TYPE x gauge\nx 1.0\n");
    }
  }

  @Test
  void answersAnyOtherPath404AndAnyOtherMethod405() throws Exception {
    try (MetricsEndpoint e = MetricsEndpoint.start("127.0.0.1", 0, () -> "x 1\n")) {
      assertThat(exchange(e.address(), "GET", "/")).startsWith("HTTP/1.1 404 ")
          .endsWith("not found: only /metrics is served\n");
      assertThat(exchange(e.address(), "POST", "/metrics")).startsWith("HTTP/1.1 405 ")
          .containsIgnoringCase("allow: GET, HEAD").endsWith("method POST not allowed\n");
    }
  }

  @Test
  void aPortInUseIsRefusedNamingTheAddressAndTheKeys() {
    try (MetricsEndpoint first = MetricsEndpoint.start("127.0.0.1", 0, () -> "")) {
      int port = first.address().getPort();

      assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", port, () -> ""))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageStartingWith("metrics endpoint: cannot listen on 127.0.0.1:" + port
              + " (spark.sparkgrid.metrics.host, spark.sparkgrid.metrics.port): ");
    }
  }
}
