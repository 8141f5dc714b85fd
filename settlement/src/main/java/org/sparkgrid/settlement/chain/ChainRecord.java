package org.sparkgrid.settlement.chain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import org.sparkgrid.core.config.SparkGridConfig;

/**
 * A chain and SparkGrid's contracts on it, as {@code bin/sparkgrid chain} and
 * {@code bin/sparkgrid chain deploy} record them in {@code chain.json} under SparkGrid's home,
 * or as the {@code spark.sparkgrid.chain.*} keys give them (the keys win).
 *
 * <pre>{@code
 * Optional<ChainRecord> target = ChainRecord.resolve(config);
 * new ChainRecord(rpcUrl, chainId, d.token(), d.distributor(), d.escrow(), key.address(), d.block())
 *     .write(ChainRecord.file(config));
 * }</pre>
 *
 * @param rpcUrl          the JSON-RPC endpoint
 * @param chainId         its chain id
 * @param token           the reward token ("" if unknown)
 * @param distributor     the RewardDistributor
 * @param escrow          the JobEscrow ("" if unknown)
 * @param coordinator     the address whose key publishes settlements ("" if unknown)
 * @param deploymentBlock where reading the contracts' events starts
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ChainRecord(String rpcUrl, long chainId, String token, String distributor, String escrow,
                          String coordinator, long deploymentBlock) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ChainRecord {
    Objects.requireNonNull(rpcUrl, "rpcUrl");
    Objects.requireNonNull(distributor, "distributor");
    token = token == null ? "" : token;
    escrow = escrow == null ? "" : escrow;
    coordinator = coordinator == null ? "" : coordinator;
  }

  /** A deployment's record. */
  public static ChainRecord of(String rpcUrl, long chainId, Deployment d, String coordinator) {
    return new ChainRecord(rpcUrl, chainId, d.token(), d.distributor(), d.escrow(), coordinator, d.block());
  }

  /** {@code <home>/chain.json}. */
  public static Path file(SparkGridConfig config) {
    return Path.of(config.home(), "chain.json");
  }

  /**
   * The {@code spark.sparkgrid.chain.*} keys when {@code rpcUrl} is set, else {@code chain.json}
   * under the home, else empty (no chain: nothing is paid).
   *
   * @throws IllegalArgumentException if {@code rpcUrl} is set without {@code distributor}
   * @throws IOException if chain.json cannot be read
   */
  public static Optional<ChainRecord> resolve(SparkGridConfig config) throws IOException {
    String rpc = config.get(SparkGridConfig.CHAIN_RPC_URL);
    if (!rpc.isEmpty()) {
      String distributor = config.get(SparkGridConfig.CHAIN_DISTRIBUTOR);
      if (distributor.isEmpty()) {
        throw new IllegalArgumentException("spark.sparkgrid.chain.distributor must name the RewardDistributor when"
            + " spark.sparkgrid.chain.rpcUrl is set");
      }
      return Optional.of(new ChainRecord(rpc, config.get(SparkGridConfig.CHAIN_ID), "", distributor,
          config.get(SparkGridConfig.CHAIN_ESCROW), "", config.get(SparkGridConfig.CHAIN_DEPLOYMENT_BLOCK)));
    }
    Path f = file(config);
    return Files.exists(f) ? Optional.of(read(f)) : Optional.empty();
  }

  /** @throws IOException if the file is missing or not a chain record */
  public static ChainRecord read(Path file) throws IOException {
    try {
      return JSON.readValue(file.toFile(), ChainRecord.class);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException(file + " is not a chain record: " + e.getOriginalMessage(), e);
    }
  }

  /** Writes this record to a temporary file, then renames it over {@code file}. */
  public Path write(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".chain-", ".json");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
    return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A connection to this chain with the options of {@code config}; sends nothing. */
  public Chain connect(SparkGridConfig config) {
    return Chain.connect(rpcUrl, chainId, ChainOptions.from(config));
  }
}
