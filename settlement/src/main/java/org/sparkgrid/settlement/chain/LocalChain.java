package org.sparkgrid.settlement.chain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.MnemonicUtils;
import org.web3j.utils.Numeric;

/**
 * A local Ethereum node (anvil, from the npm package {@code @foundry-rs/anvil-linux-amd64})
 * run as a child process on 127.0.0.1, with the deterministic development accounts of a
 * mnemonic. It can be stopped and started again on the same port; given a state file, it comes
 * back with the same chain, its blocks, receipts and events (anvil {@code --state}: loaded at
 * start, written at stop and, with {@link Builder#stateIntervalSeconds}, while running).
 *
 * <pre>{@code
 * try (LocalChain node = LocalChain.builder().build().start()) {
 *   Chain chain = Chain.connect(node.rpcUrl(), node.chainId());
 *   ChainKey coordinator = node.key(0);
 * }
 * }</pre>
 *
 * <p>The anvil executable is looked up, in order: the builder's {@link Builder#executable},
 * the system property {@value #NODE_MODULES_PROPERTY} ({@code <dir>/.bin/anvil}), then
 * {@code node_modules/.bin/anvil} and {@code settlement/node_modules/.bin/anvil} under the
 * working directory (what {@code npm ci} in {@code settlement/} installs).
 */
public final class LocalChain implements AutoCloseable {
  /** anvil's (and Hardhat's) well-known development mnemonic. */
  public static final String DEV_MNEMONIC = "test test test test test test test test test test test junk";
  public static final long DEFAULT_CHAIN_ID = 31337;
  /** System property naming the {@code node_modules} directory that holds anvil. */
  public static final String NODE_MODULES_PROPERTY = "sparkgrid.settlement.nodeModules";

  private static final Logger LOG = LoggerFactory.getLogger(LocalChain.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Builder config;
  private final int port;
  private final Path logFile;
  private Process process;

  private LocalChain(Builder config, int port) throws IOException {
    this.config = config;
    this.port = port;
    this.logFile = Files.createTempFile("anvil-" + port + "-", ".log");
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the node (again, after {@link #stop()}) and waits until it answers JSON-RPC.
   *
   * @return this
   * @throws IllegalStateException if it is running, exits, or does not answer within 30 s
   */
  public synchronized LocalChain start() {
    if (isRunning()) {
      throw new IllegalStateException("the node on port " + port + " is already running");
    }
    List<String> command = new ArrayList<>(List.of(config.executable.toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--chain-id", Long.toString(config.chainId),
        "--mnemonic", config.mnemonic,
        "--accounts", Integer.toString(config.accounts)));
    if (config.stateFile != null) {
      command.addAll(List.of("--state", config.stateFile.toString()));
      if (config.stateIntervalSeconds > 0) {
        command.addAll(List.of("--state-interval", Integer.toString(config.stateIntervalSeconds)));
      }
    }
    if (config.baseFeeWei != null) {
      command.addAll(List.of("--block-base-fee-per-gas", config.baseFeeWei.toString()));
    }
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + config.executable, e);
    }
    awaitReady();
    LOG.info("anvil on {} (chain id {}, log {})", rpcUrl(), config.chainId, logFile);
    return this;
  }

  /** Stops the node (writing its state file, if it has one) and waits for it to exit. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  public String rpcUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public long chainId() {
    return config.chainId;
  }

  /** Where anvil's output goes (it lists the development keys, which are public). */
  public Path logFile() {
    return logFile;
  }

  /**
   * Development account {@code i}'s key: BIP-44 path {@code m/44'/60'/0'/0/i} of the mnemonic,
   * as anvil derives it and funds it with 10000 ether.
   *
   * @throws IllegalArgumentException if {@code i} is not below the number of accounts
   */
  public ChainKey key(int i) {
    if (i < 0 || i >= config.accounts) {
      throw new IllegalArgumentException("account index must be in [0, " + config.accounts + "). Current value is "
          + i + ".");
    }
    return derive(config.mnemonic, i);
  }

  /**
   * Key {@code i} of a mnemonic on the BIP-44 path {@code m/44'/60'/0'/0/i}: with
   * {@link #DEV_MNEMONIC}, the development accounts every local node funds (never for real money).
   */
  public static ChainKey derive(String mnemonic, int i) {
    int hardened = Bip32ECKeyPair.HARDENED_BIT;
    Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(MnemonicUtils.generateSeed(mnemonic, ""));
    Bip32ECKeyPair child = Bip32ECKeyPair.deriveKeyPair(master,
        new int[] {44 | hardened, 60 | hardened, hardened, 0, i});
    return ChainKey.ofPrivateKey(Numeric.toHexStringNoPrefixZeroPadded(child.getPrivateKey(), 64));
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "LocalChain[" + rpcUrl() + ", chainId=" + config.chainId + ", running=" + isRunning() + "]";
  }

  private void awaitReady() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(rpcUrl()))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(2))
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_chainId\",\"params\":[]}"))
        .build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("anvil exited with " + process.exitValue() + " before answering; see "
            + logFile + ":\n" + tail());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("\"result\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stop();
        throw new IllegalStateException("interrupted while waiting for anvil", e);
      }
      sleep(100);
    }
    stop();
    throw new IllegalStateException("anvil did not answer on " + rpcUrl() + " within " + READY_TIMEOUT.toSeconds()
        + " s; see " + logFile);
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Options of a {@link LocalChain}; {@link #build()} picks the port, {@link LocalChain#start()} starts it. */
  public static final class Builder {
    private Path executable;
    private int port;
    private long chainId = DEFAULT_CHAIN_ID;
    private String mnemonic = DEV_MNEMONIC;
    private int accounts = 10;
    private Path stateFile;
    private int stateIntervalSeconds;
    private java.math.BigInteger baseFeeWei;

    private Builder() {}

    /** The anvil executable (default: found as the class comment says). */
    public Builder executable(Path executable) {
      this.executable = Objects.requireNonNull(executable, "executable");
      return this;
    }

    /**
     * @param port the port to listen on; 0 (the default) picks a free one
     * @throws IllegalArgumentException if not in [0, 65535]
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535]. Current value is " + port + ".");
      }
      this.port = port;
      return this;
    }

    /** @throws IllegalArgumentException if not positive */
    public Builder chainId(long chainId) {
      if (chainId <= 0) {
        throw new IllegalArgumentException("chainId must be > 0. Current value is " + chainId + ".");
      }
      this.chainId = chainId;
      return this;
    }

    public Builder mnemonic(String mnemonic) {
      this.mnemonic = Objects.requireNonNull(mnemonic, "mnemonic");
      return this;
    }

    /** @throws IllegalArgumentException if not in [1, 1000] */
    public Builder accounts(int accounts) {
      if (accounts < 1 || accounts > 1000) {
        throw new IllegalArgumentException("accounts must be in [1, 1000]. Current value is " + accounts + ".");
      }
      this.accounts = accounts;
      return this;
    }

    /** Keep the chain in this file across stop and start (created at the first stop). */
    public Builder stateFile(Path stateFile) {
      this.stateFile = Objects.requireNonNull(stateFile, "stateFile");
      return this;
    }

    /**
     * Also write the state file every {@code seconds} while running (anvil {@code --state-interval}),
     * so a node killed without a chance to write it loses at most that much. 0 (the default): only at stop.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder stateIntervalSeconds(int seconds) {
      if (seconds < 0) {
        throw new IllegalArgumentException("stateIntervalSeconds must be >= 0. Current value is " + seconds + ".");
      }
      this.stateIntervalSeconds = seconds;
      return this;
    }

    /**
     * The first block's base fee (anvil {@code --block-base-fee-per-gas}); it then moves as EIP-1559 says.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder baseFeeWei(java.math.BigInteger wei) {
      if (wei.signum() < 0) {
        throw new IllegalArgumentException("baseFeeWei must be >= 0. Current value is " + wei + ".");
      }
      this.baseFeeWei = wei;
      return this;
    }

    /**
     * Resolves the executable and the port; the node is not started yet.
     *
     * @throws IllegalStateException if no anvil executable is found
     * @throws UncheckedIOException if no free port or log file can be had
     */
    public LocalChain build() {
      if (executable == null) {
        executable = findAnvil();
      }
      try {
        return new LocalChain(this, port != 0 ? port : freePort());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static Path findAnvil() {
      List<Path> candidates = new ArrayList<>();
      String nodeModules = System.getProperty(NODE_MODULES_PROPERTY);
      if (nodeModules != null) {
        candidates.add(Path.of(nodeModules, ".bin", "anvil"));
      }
      candidates.add(Path.of("node_modules", ".bin", "anvil"));
      candidates.add(Path.of("settlement", "node_modules", ".bin", "anvil"));
      for (Path c : candidates) {
        if (Files.isExecutable(c)) {
          return c.toAbsolutePath();
        }
      }
      throw new IllegalStateException("no anvil executable in " + candidates
          + ": run `npm ci` in settlement/ (or set -D" + NODE_MODULES_PROPERTY + "=<node_modules dir>)");
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        return socket.getLocalPort();
      }
    }
  }
}
