package org.sparkgrid.jobs.service.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} in the Prometheus text format (version 0.0.4), on the JDK's own HTTP server,
 * one daemon thread. Any other path answers 404, any other method 405.
 *
 * <pre>{@code
 * try (MetricsEndpoint endpoint = MetricsEndpoint.start("127.0.0.1", 9464, registry::scrape)) {
 *   endpoint.address();   // 127.0.0.1:9464; with port 0, the port the system chose
 * }
 * }</pre>
 */
final class MetricsEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);

  /** The path served. */
  static final String PATH = "/metrics";
  /** The content type of the Prometheus text format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService thread;

  private MetricsEndpoint(HttpServer server, ExecutorService thread) {
    this.server = server;
    this.thread = thread;
  }

  /**
   * Serves {@code scrape} on {@code host:port}.
   *
   * @param port 0 for a free port
   * @throws UncheckedIOException naming the address, if it cannot be bound (in use, not this host's)
   */
  static MetricsEndpoint start(String host, int port, Supplier<String> scrape) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("metrics endpoint: cannot listen on " + host + ":" + port
          + " (spark.sparkgrid.metrics.host, spark.sparkgrid.metrics.port): " + e.getMessage(), e);
    }
    ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sparkgrid-metrics-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(thread);
    server.createContext("/", exchange -> answer(exchange, scrape));
    server.start();
    return new MetricsEndpoint(server, thread);
  }

  private static void answer(HttpExchange exchange, Supplier<String> scrape) throws IOException {
    try (exchange) {
      if (!PATH.equals(exchange.getRequestURI().getPath())) {
        send(exchange, 404, "text/plain; charset=utf-8", "not found: only " + PATH + " is served\n");
      } else if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, 405, "text/plain; charset=utf-8", "method " + exchange.getRequestMethod() + " not allowed\n");
      } else {
        send(exchange, 200, CONTENT_TYPE, scrape.get());
      }
    } catch (RuntimeException e) {
      LOG.warn("metrics endpoint: {}", e.toString());
      throw e;
    }
  }

  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  /** Where it listens. */
  InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    thread.shutdownNow();
  }
}
