package org.sparkgrid.settlement;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.sparkgrid.settlement.chain.Chain;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.contracts.JobEscrow;
import org.sparkgrid.settlement.contracts.SparkGridToken;
import org.sparkgrid.settlement.ledger.Bytes32;
import org.web3j.crypto.Hash;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.tuples.generated.Tuple5;
import org.web3j.tx.ReadonlyTransactionManager;

/**
 * A job's deposit in a {@code JobEscrow}: where a tree job's rewards are drawn from (a {@link
 * Settler} built with {@link Settler.Builder#fundedBy} publishes each settlement with
 * {@code RewardDistributor.publishFromEscrow}, which draws its total from this deposit and reverts
 * with {@code DepositExceeded} on more than remains).
 *
 * <pre>{@code
 * JobDeposit deposit = JobDeposit.of(deployment.escrow(), "fed-1");   // keyed by keccak-256("fed-1")
 * deposit.read(chain).requireAtLeast(pool.multiply(BigInteger.valueOf(rounds)), "poolPerRound 1000 x 4 rounds");
 * }</pre>
 *
 * @param escrow the JobEscrow address
 * @param job    the job id as SparkGrid names it ({@code bin/sparkgrid escrow deposit --job ID})
 */
public record JobDeposit(String escrow, String job) {
  public JobDeposit {
    Objects.requireNonNull(escrow, "escrow");
    Objects.requireNonNull(job, "job");
    if (escrow.isBlank()) {
      throw new IllegalArgumentException("escrow: no JobEscrow address for job '" + job + "'");
    }
  }

  public static JobDeposit of(String escrow, String job) {
    return new JobDeposit(escrow, job);
  }

  /** The id the escrow keys a job by: keccak-256 of the job id's UTF-8 bytes. */
  public static Bytes32 idOf(String job) {
    return Bytes32.of(Hash.sha3(job.getBytes(StandardCharsets.UTF_8)));
  }

  /** This job's escrow key. */
  public Bytes32 id() {
    return idOf(job);
  }

  /**
   * A deposit as the escrow's views show it.
   *
   * @param deposit   the job and escrow it belongs to
   * @param requester who deposited (the zero address if no one did)
   * @param status    0 none, 1 deposited (open), 2 released, 3 refunded
   * @param fee       what was deposited
   * @param remaining what is left to draw: fee minus what settlements drew, 0 once closed
   */
  public record State(JobDeposit deposit, String requester, int status, BigInteger fee, BigInteger remaining) {
    /** What settlements drew from it so far (while it is open). */
    public BigInteger drawn() {
      return fee.subtract(remaining);
    }

    /**
     * Checks that the deposit is open and was at least {@code needed}.
     *
     * @param why what {@code needed} is made of, for the message (e.g. "poolPerRound 1000 x 4 rounds")
     * @throws IllegalArgumentException in one line, naming the job, what is missing and the command
     *     that deposits
     */
    public State requireAtLeast(BigInteger needed, String why) {
      String command = "bin/sparkgrid escrow deposit --job " + deposit.job() + " --fee " + needed;
      if (status == 0) {
        throw new IllegalArgumentException("reward: job '" + deposit.job() + "' has no deposit in the escrow "
            + deposit.escrow() + "; its requester must deposit " + needed + " (" + why + ") first: " + command);
      }
      if (status != 1) {
        throw new IllegalArgumentException("reward: the deposit of job '" + deposit.job() + "' in the escrow "
            + deposit.escrow() + " is " + (status == 2 ? "released" : "refunded") + " already; nothing is left to pay"
            + " rewards from");
      }
      if (fee.compareTo(needed) < 0) {
        throw new IllegalArgumentException("reward: the deposit of job '" + deposit.job() + "' in the escrow "
            + deposit.escrow() + " is " + fee + ", less than the " + needed + " its rewards need (" + why + ")");
      }
      return this;
    }
  }

  /**
   * Deposits {@code amount} for this job from the requester's tokens: approves the escrow for
   * exactly that amount, then deposits (two transactions). What {@code bin/sparkgrid escrow deposit}
   * sends.
   *
   * @param deadline epoch seconds after which anyone may have the rest refunded
   * @return the deposit's transaction receipt
   * @throws org.sparkgrid.settlement.chain.RevertedException if the escrow refuses (the reason
   *     decoded: {@code JobExists}, {@code ZeroFee}, too few tokens)
   * @throws Exception whatever else Web3j throws
   */
  public TransactionReceipt deposit(Chain chain, ChainKey requester, BigInteger amount, long deadline)
      throws Exception {
    JobEscrow e = JobEscrow.load(escrow, chain.web3j(), chain.transactionManager(requester), chain.gas());
    SparkGridToken.load(e.token().send(), chain.web3j(), chain.transactionManager(requester), chain.gas())
        .approve(escrow, amount).send();
    return e.deposit(id().bytes(), amount, BigInteger.valueOf(deadline)).send();
  }

  /**
   * Reads the deposit with the escrow's view functions {@code job} and {@code remaining}.
   *
   * @throws IOException if the node cannot be reached or the call fails
   */
  public State read(Chain chain) throws IOException {
    JobEscrow e = JobEscrow.load(escrow, chain.web3j(), new ReadonlyTransactionManager(chain.web3j(), escrow),
        chain.gas());
    try {
      Tuple5<String, BigInteger, BigInteger, BigInteger, BigInteger> j = e.job(id().bytes()).send();
      BigInteger remaining = e.remaining(id().bytes()).send();
      return new State(this, j.component1(), j.component4().intValueExact(), j.component5(), remaining);
    } catch (IOException | RuntimeException ex) {
      throw ex;
    } catch (Exception ex) {
      throw new IOException("reading the deposit of job '" + job + "' in the escrow " + escrow + ": " + ex.getMessage(), ex);
    }
  }
}
