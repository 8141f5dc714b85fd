package org.sparkgrid.settlement;

import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.EventLogs;
import org.sparkgrid.settlement.chain.RevertedException;
import org.sparkgrid.settlement.contracts.RewardDistributor;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.sparkgrid.settlement.ledger.SettlementPlan;
import org.web3j.abi.EventEncoder;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.protocol.exceptions.TransactionException;
import org.web3j.tuples.generated.Tuple3;
import org.web3j.tx.FastRawTransactionManager;

/**
 * Publishes settlements: one Merkle root per settlement id, in one transaction, funded from the
 * coordinator's tokens, and stores the receipt. Idempotent and patient:
 *
 * <ul>
 *   <li>a settlement whose receipt is stored is not published again;
 *   <li>one already published on chain but not stored (the process died between the two) is
 *       found by its {@code SettlementPublished} event and stored, not published again;
 *   <li>a failure to reach the node, a nonce clash, a receipt that does not come or a fee above
 *       the ceiling is retried with backoff ({@link RetryPolicy}), and after the last attempt fails
 *       with one line naming the attempts, the time spent and the last cause;
 *   <li>a publication that the chain refuses (its {@code eth_call} reverts: not the coordinator,
 *       paused, too few tokens; the reason decoded) or an id already published with another root
 *       fails at once with {@link IllegalStateException}.
 * </ul>
 *
 * <p>Its events are read from the deployment block on, in ranges of
 * {@link org.sparkgrid.settlement.chain.ChainOptions#logBlockRange()} blocks.
 *
 * <p>Funded by a job's deposit ({@link Builder#fundedBy}): each settlement is published with
 * {@code publishFromEscrow}, which draws its total from the deposit in the {@code JobEscrow} in the
 * same transaction (the coordinator's own tokens are not touched, and no allowance is given); the
 * escrow refuses, with {@code DepositExceeded}, to pay more than remains of the deposit, so a job
 * never pays more than its requester deposited. As the id is published at most once, each
 * settlement draws on the deposit at most once, however often it is retried or resumed.
 *
 * <p>Otherwise, funded by the coordinator: before each publication the settler approves the distributor to take exactly that settlement's
 * total from the coordinator's tokens (one more transaction per settlement), never more: the
 * publication's {@code transferFrom} spends the allowance back to 0, so no allowance is left that a
 * later publication, or anyone holding the distributor's coordinator role, could draw on. An
 * allowance already equal to the total (an earlier attempt approved it, then failed) is kept;
 * any other is replaced by the total.
 *
 * <pre>{@code
 * Settler settler = Settler.builder(chain, ChainKey.fromEnvironment(), deployment.distributor(),
 *     new FileReceiptStore(dir)).build();
 * Settler.Outcome outcome = settler.settle(
 *     SettlementPlan.of("job-7/round-3", pool, contributions, Weighting.SCORE));
 * }</pre>
 */
public final class Settler {
  private static final Logger LOG = LoggerFactory.getLogger(Settler.class);

  private final Chain chain;
  private final ChainKey key;
  private final String distributorAddress;
  private final ReceiptStore store;
  private final RetryPolicy retry;
  private final long fromBlock;
  private final FastRawTransactionManager transactions;
  private final RewardDistributor distributor;
  private final JobDeposit fundedBy;

  private Settler(Builder b) {
    this.chain = b.chain;
    this.key = b.key;
    this.distributorAddress = b.distributor;
    this.store = b.store;
    this.retry = b.retry;
    this.fromBlock = b.fromBlock;
    this.fundedBy = b.fundedBy;
    this.transactions = chain.transactionManager(key);
    this.distributor = RewardDistributor.load(distributorAddress, chain.web3j(), transactions, chain.gas());
  }

  /**
   * @param chain       the node to publish on
   * @param coordinator the key holding the coordinator role and the tokens
   * @param distributor the RewardDistributor address
   * @param store       where receipts are kept
   */
  public static Builder builder(Chain chain, ChainKey coordinator, String distributor, ReceiptStore store) {
    return new Builder(chain, coordinator, distributor, store);
  }

  /**
   * What {@link #settle} did.
   *
   * @param receipt   the stored receipt
   * @param published whether this call published it (false: it was settled before)
   * @param attempts  how many attempts this call made (0 when the store held the receipt)
   */
  public record Outcome(SettlementReceipt receipt, boolean published, int attempts) {}

  /**
   * Settles the plan once: returns the stored receipt if there is one, else publishes (retrying
   * as the class comment says) and stores it.
   *
   * @throws IllegalStateException if the id is settled with another root or total, if the chain
   *     refuses the publication, or if the retry policy gives up (the last failure is the cause)
   * @throws IOException if the receipt store fails
   * @throws InterruptedException if interrupted while waiting to retry
   */
  public Outcome settle(SettlementPlan plan) throws IOException, InterruptedException {
    Objects.requireNonNull(plan, "plan");
    Optional<SettlementReceipt> stored = store.find(plan.id());
    if (stored.isPresent()) {
      try {
        checkSame(plan, Bytes32.fromHex(stored.get().root()), stored.get().total(), "the receipt store");
      } catch (Refused e) {
        throw new IllegalStateException(e.getMessage());
      }
      LOG.info("settlement '{}' is settled already (tx {})", plan.name(), stored.get().transactionHash());
      return new Outcome(stored.get(), false, 0);
    }
    long started = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        Outcome outcome = publishOnce(plan, attempt);
        store.put(outcome.receipt());
        LOG.info("settlement '{}' ({} payouts, total {}) settled in tx {} after {} attempt(s)", plan.name(),
            plan.payouts().size(), plan.total(), outcome.receipt().transactionHash(), attempt);
        return outcome;
      } catch (Refused e) {
        throw new IllegalStateException(e.getMessage(), e.getCause());
      } catch (IOException | RuntimeException | TransactionException e) {
        if (!retry.allowsAnother(attempt)) {
          long seconds = java.time.Duration.ofNanos(System.nanoTime() - started).toSeconds();
          throw new IllegalStateException("settlement '" + plan.name() + "' failed after " + attempt
              + " attempt(s) in " + seconds + " s: " + oneLine(e), e);
        }
        java.time.Duration wait = retry.backoff(attempt);
        LOG.warn("settlement '{}' attempt {} failed ({}); retrying in {} ms", plan.name(), attempt, e.toString(),
            wait.toMillis());
        transactions.clearNonce(); // the next transaction asks the node for the nonce
        Thread.sleep(wait.toMillis());
      }
    }
  }

  private Outcome publishOnce(SettlementPlan plan, int attempt) throws IOException, TransactionException, Refused {
    Optional<TransactionReceipt> earlier = publishedEarlier(plan);
    if (earlier.isPresent()) {
      LOG.info("settlement '{}' was published before its receipt was stored; storing tx {}", plan.name(),
          earlier.get().getTransactionHash());
      return new Outcome(receiptOf(plan, earlier.get()), true, attempt);
    }
    TransactionReceipt tx;
    try {
      if (fundedBy != null) {
        tx = call(() -> distributor.publishFromEscrow(plan.id().bytes(), plan.root().bytes(), plan.total(),
            fundedBy.escrow(), fundedBy.id().bytes()).send());
      } else {
        ensureAllowance(plan.total());
        tx = call(() -> distributor.publish(plan.id().bytes(), plan.root().bytes(), plan.total()).send());
      }
    } catch (RevertedException e) {
      Optional<TransactionReceipt> mined = publishedEarlier(plan); // a concurrent publication of the same plan?
      if (mined.isPresent()) {
        return new Outcome(receiptOf(plan, mined.get()), true, attempt);
      }
      throw new Refused("the chain refused settlement '" + plan.name() + "': " + e.getMessage(), e);
    } catch (TransactionException e) {
      if (e.getTransactionReceipt().isEmpty()) {
        throw e; // no receipt (yet): retried, and the next attempt looks at the chain first
      }
      Optional<TransactionReceipt> mined = publishedEarlier(plan); // a concurrent publication of the same plan?
      if (mined.isPresent()) {
        return new Outcome(receiptOf(plan, mined.get()), true, attempt);
      }
      throw new Refused("the chain refused settlement '" + plan.name() + "': " + e.getMessage(), e);
    }
    return new Outcome(receiptOf(plan, tx), true, attempt);
  }

  /** The receipt of this plan's earlier publication, or empty if the id is not on chain. */
  private Optional<TransactionReceipt> publishedEarlier(SettlementPlan plan)
      throws IOException, TransactionException, Refused {
    Tuple3<byte[], BigInteger, BigInteger> onChain = call(() -> distributor.settlement(plan.id().bytes()).send());
    Bytes32 root = Bytes32.of(onChain.component1());
    if (root.isZero()) {
      return Optional.empty();
    }
    checkSame(plan, root, onChain.component2(), "the chain");
    List<Log> results = EventLogs.read(chain.web3j(), distributorAddress, chain.options().logBlockRange(), fromBlock,
        EventEncoder.encode(RewardDistributor.SETTLEMENTPUBLISHED_EVENT), plan.id().hex());
    if (results.isEmpty()) {
      throw new IOException("settlement '" + plan.name() + "' is on chain but its event is not (yet) visible from"
          + " block " + fromBlock + " on");
    }
    Log log = results.get(0);
    return chain.web3j().ethGetTransactionReceipt(log.getTransactionHash()).send().getTransactionReceipt();
  }

  /** Sets the distributor's allowance on the coordinator's tokens to exactly {@code total}. */
  private void ensureAllowance(BigInteger total) throws IOException, TransactionException {
    SparkGridToken token = SparkGridToken.load(call(() -> distributor.token().send()), chain.web3j(), transactions,
        chain.gas());
    BigInteger allowance = call(() -> token.allowance(key.address(), distributorAddress).send());
    if (allowance.compareTo(total) != 0) {
      LOG.info("approving the distributor {} to take exactly {} of the coordinator's tokens (allowance was {})",
          distributorAddress, total, allowance);
      call(() -> token.approve(distributorAddress, total).send());
    }
  }

  private SettlementReceipt receiptOf(SettlementPlan plan, TransactionReceipt tx) {
    return new SettlementReceipt(plan.name(), plan.id().hex(), plan.root().hex(), plan.total(), plan.payouts(),
        chain.chainId(), distributorAddress, tx.getTransactionHash(), tx.getBlockNumber().longValueExact(),
        tx.getGasUsed().longValueExact());
  }

  private static void checkSame(SettlementPlan plan, Bytes32 root, BigInteger total, String where) throws Refused {
    if (!plan.root().equals(root) || plan.total().compareTo(total) != 0) {
      throw new Refused("settlement '" + plan.name() + "' (" + plan.id() + ") is settled in " + where
          + " with root " + root + " and total " + total + ", not root " + plan.root() + " and total " + plan.total());
    }
  }

  /** A failure in one line: its message, else its class; with the cause's when it only wraps one. */
  static String oneLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replace('\n', ' ');
  }

  /** Runs a Web3j call, unwrapping the checked exceptions it may hide. */
  private static <T> T call(Web3jCall<T> c) throws IOException, TransactionException {
    try {
      return c.call();
    } catch (IOException | TransactionException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  @FunctionalInterface
  private interface Web3jCall<T> {
    T call() throws Exception;
  }

  /** The chain or the store says no: not retried. */
  private static final class Refused extends Exception {
    Refused(String message) {
      super(message);
    }

    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public String toString() {
    return "Settler[" + chain + ", coordinator=" + key.address() + ", distributor=" + distributorAddress
        + (fundedBy == null ? "" : ", funded by " + fundedBy) + ", " + store + "]";
  }

  /** Options of a {@link Settler}. */
  public static final class Builder {
    private final Chain chain;
    private final ChainKey key;
    private final String distributor;
    private final ReceiptStore store;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private long fromBlock;
    private JobDeposit fundedBy;

    private Builder(Chain chain, ChainKey key, String distributor, ReceiptStore store) {
      this.chain = Objects.requireNonNull(chain, "chain");
      this.key = Objects.requireNonNull(key, "coordinator");
      this.distributor = Objects.requireNonNull(distributor, "distributor");
      this.store = Objects.requireNonNull(store, "store");
    }

    /** How failures are retried (default {@link RetryPolicy#DEFAULT}). */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /**
     * The distributor's deployment block, where reading its events starts (default 0).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder fromBlock(long block) {
      if (block < 0) {
        throw new IllegalArgumentException("fromBlock must be >= 0. Current value is " + block + ".");
      }
      this.fromBlock = block;
      return this;
    }

    /**
     * Funds every settlement from this job's deposit in the escrow instead of the coordinator's
     * tokens (the class comment says how).
     */
    public Builder fundedBy(JobDeposit deposit) {
      this.fundedBy = Objects.requireNonNull(deposit, "deposit");
      return this;
    }

    public Settler build() {
      return new Settler(this);
    }
  }
}
