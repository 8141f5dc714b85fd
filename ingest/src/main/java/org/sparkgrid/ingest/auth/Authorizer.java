package org.sparkgrid.ingest.auth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.request.RewardSpec;
import org.sparkgrid.core.request.SweepSpec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.core.request.WorkerResources;
import org.sparkgrid.ingest.jobs.Job;

/**
 * Decides whether a request or control command comes from a registered requester within its
 * rights. Pure logic: the registry, the signature scheme, the clock and the replay guard are given.
 * The checks, in order, each refusing with its own {@link Denial}:
 *
 * <ol>
 *   <li>{@link #authenticate}: the four headers of {@link SignedMessage} are present
 *       ({@code unsigned}) and readable ({@code malformed-header}); the signature over
 *       {@link SignedMessage#message} of the record's key, timestamp, nonce and value recovers the
 *       signer header's account ({@code bad-signature}: also a key or value changed after signing);
 *       the account is registered ({@code unknown-account}); the timestamp is within
 *       {@code clockSkew} of the clock ({@code expired}); the account never used the nonce for
 *       another record ({@code replayed}: the {@link ReplayGuard} here; the request consumer instead
 *       records each poll's nonces in the job store's transaction for the poll's jobs and verdicts,
 *       after {@link #verify}, and refuses a replay with {@link #replayed});
 *   <li>{@link #authorizeRequest}: the requester has {@code submit} or {@code admin}
 *       ({@code role-missing}), the request id starts with {@code <name>.} ({@code outside-namespace})
 *       and the request keeps within its {@link Limits} ({@code over-limit});
 *   <li>{@link #authorizeCommand}: the requester submitted the job and has {@code cancel-own}, or is
 *       an {@code admin} ({@code not-owner}, {@code role-missing}).
 * </ol>
 *
 * <p>Where signatures are not {@code required}, a record without any of the four headers is taken
 * as {@link Identity#UNSIGNED} and passes the other checks; a record with any of them is checked in
 * full.
 *
 * <pre>{@code
 * Authorizer auth = new Authorizer(RegistryFile.open(path, clock), PersonalSignatures.RECOVERY, clock,
 *     Duration.ofMinutes(5), (account, nonce, source) -> store.useNonce(account, nonce, source, Duration.ofMinutes(10)),
 *     true);
 * Identity who = auth.authenticate(SignedMessage.Kind.REQUEST, record.key(), record.value(), record.headers(), "requests-0@42");
 * auth.authorizeRequest(who, RequestCodec.parse(record.value()));   // throws Unauthorized, naming what failed
 * }</pre>
 */
public final class Authorizer {

  private static final Pattern SIGNATURE = Pattern.compile("0x[0-9a-fA-F]{130}");
  private static final String[] HEADERS = {SignedMessage.SIGNATURE_HEADER, SignedMessage.SIGNER_HEADER,
      SignedMessage.TIMESTAMP_HEADER, SignedMessage.NONCE_HEADER};

  private final Supplier<RequesterRegistry> registry;
  private final SignatureRecovery recovery;
  private final Clock clock;
  private final long skewMillis;
  private final ReplayGuard replay;
  private final boolean required;

  /**
   * @param registry  the registry as it is now (a {@link RegistryFile} reads changes)
   * @param recovery  who signed a message (settlement's {@code PersonalSignatures.RECOVERY})
   * @param clockSkew how far a timestamp may be from {@code clock}, either way
   * @param replay    remembers used nonces (the job store, for at least twice {@code clockSkew})
   * @param required  whether unsigned records are refused
   */
  public Authorizer(Supplier<RequesterRegistry> registry, SignatureRecovery recovery, Clock clock, Duration clockSkew,
      ReplayGuard replay, boolean required) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.recovery = Objects.requireNonNull(recovery, "recovery");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.skewMillis = clockSkew.toMillis();
    this.replay = Objects.requireNonNull(replay, "replay");
    this.required = required;
  }

  /** Whether unsigned records are refused. */
  public boolean required() {
    return required;
  }

  /** How far a timestamp may be from the clock. */
  public Duration clockSkew() {
    return Duration.ofMillis(skewMillis);
  }

  /**
   * Who signed a record (the first five checks of the class comment).
   *
   * @param key    the record's key, {@code null} if none
   * @param value  the record's value, {@code null} for a tombstone (signed as no bytes)
   * @param source where it was read, e.g. {@code sparkgrid.requests-0@42}: the same record read
   *               again (after a failure) is not a replay
   * @return the requester, or {@link Identity#UNSIGNED} where unsigned records are taken
   * @throws Unauthorized naming the first check that failed
   */
  public Identity authenticate(SignedMessage.Kind kind, byte[] key, byte[] value, Headers headers, String source)
      throws Unauthorized {
    Verified v = verify(kind, key, value, headers, source);
    if (v.nonce() != null && !replay.firstUse(v.identity().account(), v.nonce(), source)) {
      throw replay(v);
    }
    return v.identity();
  }

  /**
   * A record whose signature, signer, registration and clock window checked out, before its nonce
   * is recorded.
   *
   * @param identity who signed it ({@link Identity#UNSIGNED}, with no nonce, where unsigned records are taken)
   * @param nonce    its nonce, {@code null} if unsigned
   * @param source   where it was read
   */
  public record Verified(Identity identity, String nonce, String source) {}

  /**
   * {@link #authenticate} but for the replay check: what the request consumer calls for each record
   * of a poll before it records the poll's nonces with its jobs and verdicts, in one job-store
   * transaction ({@link org.sparkgrid.ingest.jobs.JobStore#storePoll}; a replay is refused with {@link #replayed}). Thread-safe
   * where the registry and the recovery are: the consumer checks a poll's records on several threads.
   *
   * @throws Unauthorized naming the first check that failed
   */
  public Verified verify(SignedMessage.Kind kind, byte[] key, byte[] value, Headers headers, String source)
      throws Unauthorized {
    String signature = header(headers, SignedMessage.SIGNATURE_HEADER);
    String signer = header(headers, SignedMessage.SIGNER_HEADER);
    String timestamp = header(headers, SignedMessage.TIMESTAMP_HEADER);
    String nonce = header(headers, SignedMessage.NONCE_HEADER);
    if (signature == null && signer == null && timestamp == null && nonce == null) {
      if (!required) {
        return new Verified(Identity.UNSIGNED, null, source);
      }
      throw new Unauthorized(Denial.UNSIGNED, SignedMessage.SIGNATURE_HEADER, null, null,
          "the record carries no signature (headers " + String.join(", ", HEADERS) + "); this service takes only"
              + " records signed by a registered requester");
    }
    String claimed = signer;
    for (String[] h : new String[][] {{SignedMessage.SIGNATURE_HEADER, signature},
        {SignedMessage.SIGNER_HEADER, signer}, {SignedMessage.TIMESTAMP_HEADER, timestamp},
        {SignedMessage.NONCE_HEADER, nonce}}) {
      if (h[1] == null) {
        throw new Unauthorized(Denial.UNSIGNED, h[0], null, claimed, "the record has no " + h[0] + " header; a"
            + " signed record carries all of " + String.join(", ", HEADERS));
      }
    }
    String account;
    long ts;
    byte[] message;
    try {
      account = SignedMessage.account(SignedMessage.SIGNER_HEADER, signer);
    } catch (IllegalArgumentException e) {
      throw new Unauthorized(Denial.MALFORMED_HEADER, SignedMessage.SIGNER_HEADER, signer, claimed, e.getMessage());
    }
    try {
      ts = Long.parseLong(timestamp);
    } catch (NumberFormatException e) {
      throw new Unauthorized(Denial.MALFORMED_HEADER, SignedMessage.TIMESTAMP_HEADER, timestamp, account,
          SignedMessage.TIMESTAMP_HEADER + ": must be milliseconds since the epoch, a whole number, got '"
              + shown(timestamp) + "'");
    }
    if (!SIGNATURE.matcher(signature).matches()) {
      throw new Unauthorized(Denial.MALFORMED_HEADER, SignedMessage.SIGNATURE_HEADER, signature, account,
          SignedMessage.SIGNATURE_HEADER + ": must be 0x and 130 hex digits (r, s, v), got '" + shown(signature) + "'");
    }
    String keyText = key == null ? null : new String(key, StandardCharsets.UTF_8);
    try {
      message = SignedMessage.message(kind, keyText, ts, nonce, value == null ? new byte[0] : value);
    } catch (IllegalArgumentException e) {
      String field = e.getMessage().startsWith("key") ? "key" : e.getMessage().startsWith(SignedMessage.NONCE_HEADER)
          ? SignedMessage.NONCE_HEADER : SignedMessage.TIMESTAMP_HEADER;
      String bad = field.equals("key") ? keyText : field.equals(SignedMessage.NONCE_HEADER) ? nonce : timestamp;
      throw new Unauthorized(Denial.MALFORMED_HEADER, field, bad, account, e.getMessage());
    }
    String recovered;
    try {
      recovered = recovery.signer(message, signature);
    } catch (IllegalArgumentException e) {
      throw new Unauthorized(Denial.BAD_SIGNATURE, SignedMessage.SIGNATURE_HEADER, signature, account,
          "the signature recovers no account (" + e.getMessage() + ")");
    }
    if (!recovered.equalsIgnoreCase(account)) {
      throw new Unauthorized(Denial.BAD_SIGNATURE, SignedMessage.SIGNATURE_HEADER, signature, account,
          "the signature over this record's " + kind.wire() + " key, timestamp, nonce and value was made by "
              + recovered + ", not by its " + SignedMessage.SIGNER_HEADER + " " + account
              + " (a wrong key, or the record was changed after signing)");
    }
    Requester requester = registry.get().byAccount(account).orElseThrow(() -> new Unauthorized(
        Denial.UNKNOWN_ACCOUNT, SignedMessage.SIGNER_HEADER, account, account,
        account + " is not in the requester registry (bin/sparkgrid requester add)"));
    long now = clock.millis();
    if (Math.abs(now - ts) > skewMillis) {
      throw new Unauthorized(Denial.EXPIRED, SignedMessage.TIMESTAMP_HEADER, timestamp, account,
          "signed at " + ts + ", " + Math.abs(now - ts) + " ms " + (ts < now ? "before" : "after")
              + " the service's clock (" + now + "); the window is " + skewMillis
              + " ms either way (spark.sparkgrid.auth.clockSkewMs)");
    }
    return new Verified(new Identity(account, requester), nonce, source);
  }

  /**
   * How long a nonce must be remembered: twice the clock skew, since a record is taken up to
   * {@code clockSkew} either side of the clock. A nonce forgotten after that comes with a timestamp
   * {@link #verify} refuses anyway.
   */
  public Duration nonceKeep() {
    return Duration.ofMillis(2 * skewMillis);
  }

  /**
   * The refusal of a verified record whose nonce its account used before for another record: what
   * a consumer that records a poll's nonces itself ({@code JobStore#storePoll}) refuses it with.
   */
  public Unauthorized replayed(Verified v) {
    if (v.nonce() == null) {
      throw new IllegalArgumentException("nonce: an unsigned record is never a replay (source " + v.source() + ")");
    }
    return replay(v);
  }

  private static Unauthorized replay(Verified v) {
    String account = v.identity().account();
    return new Unauthorized(Denial.REPLAYED, SignedMessage.NONCE_HEADER, v.nonce(), account,
        "nonce " + v.nonce() + " was already used by " + account + " (requester " + v.identity().requester().name()
            + ") for another record; sign each record with a new nonce");
  }

  /**
   * Whether the sender may submit this request: its role, its namespace, its limits.
   *
   * @throws Unauthorized naming the first check that failed
   */
  public void authorizeRequest(Identity who, TrainingRequest request) throws Unauthorized {
    if (!who.signed()) {
      return;
    }
    Requester r = who.requester();
    if (!r.has(Role.SUBMIT) && !r.has(Role.ADMIN)) {
      throw new Unauthorized(Denial.ROLE_MISSING, "roles", roles(r), who.account(),
          "requester " + r.name() + " (" + who.account() + ") has roles " + roles(r) + ", not submit");
    }
    if (!request.id().startsWith(r.namespace())) {
      throw new Unauthorized(Denial.OUTSIDE_NAMESPACE, "id", request.id(), who.account(),
          "request id '" + request.id() + "' is not in requester " + r.name() + "'s namespace: its ids start with '"
              + r.namespace() + "'");
    }
    checkLimits(r, request);
  }

  /**
   * Whether the sender may give {@code command} about {@code job}.
   *
   * @param job the job as the store holds it, empty if it has none (yet): then only an admin may,
   *            so that a command never reaches a job stored after it was checked
   * @throws Unauthorized naming what failed
   */
  public void authorizeCommand(Identity who, String command, String jobId, Optional<Job> job) throws Unauthorized {
    if (!who.signed()) {
      return;
    }
    Requester r = who.requester();
    if (r.has(Role.ADMIN)) {
      return;
    }
    String owner = job.map(Job::requester).orElse(null);
    if (!r.name().equals(owner)) {
      String whose = job.isEmpty() ? "the job store has no such job"
          : owner == null ? "it was submitted unsigned" : "requester " + owner + " submitted it";
      throw new Unauthorized(Denial.NOT_OWNER, "job", jobId, who.account(),
          "requester " + r.name() + " may not " + command + " job '" + jobId + "': " + whose
              + ", and only the owner (with cancel-own) or an admin may");
    }
    if (!r.has(Role.CANCEL_OWN)) {
      throw new Unauthorized(Denial.ROLE_MISSING, "roles", roles(r), who.account(),
          "requester " + r.name() + " (" + who.account() + ") has roles " + roles(r) + ", not cancel-own");
    }
  }

  /**
   * Whether a request keeps within a requester's limits (see {@link Limits} for what each counts).
   *
   * @throws Unauthorized ({@code over-limit}) naming the request field, the value and the limit
   */
  public static void checkLimits(Requester r, TrainingRequest request) throws Unauthorized {
    Limits l = r.limits();
    int concurrent = concurrentTrials(request.sweep());
    int workers = request.engine().workers() * concurrent;
    String workersText = concurrent == 1 ? String.valueOf(workers)
        : workers + " (engine.workers " + request.engine().workers() + " x " + concurrent + " trials at once)";
    if (l.maxWorkers() != null && workers > l.maxWorkers()) {
      throw over(r, "engine.workers", workers, "workers at once", workersText, l.maxWorkers());
    }
    WorkerResources res = request.engine().resources();
    int gpus = res == null ? 0 : workers * res.gpus();
    if (l.maxGpus() != null && gpus > l.maxGpus()) {
      throw over(r, "engine.resources.gpus", gpus, "GPUs at once", gpus + " (" + workers + " workers x "
          + res.gpus() + " GPUs each)", l.maxGpus());
    }
    int rounds = request.federation() == null ? 0 : request.federation().rounds();
    if (l.maxRounds() != null && rounds > l.maxRounds()) {
      throw over(r, "federation.rounds", rounds, "rounds", String.valueOf(rounds), l.maxRounds());
    }
    RewardSpec reward = request.reward();
    BigInteger pool = reward == null ? BigInteger.ZERO : new BigInteger(reward.poolPerRound());
    if (l.maxRewardPoolPerRound() != null && pool.compareTo(l.maxRewardPoolPerRound()) > 0) {
      throw over(r, "reward.poolPerRound", pool, "reward pool per round", pool.toString(), l.maxRewardPoolPerRound());
    }
    BigInteger fee = fee(request);
    if (l.maxFee() != null && fee.compareTo(l.maxFee()) > 0) {
      throw over(r, "reward.poolPerRound", fee, "fee", feeText(request, fee), l.maxFee());
    }
    if (l.minFee() != null && fee.compareTo(l.minFee()) < 0) {
      throw new Unauthorized(Denial.OVER_LIMIT, "reward.poolPerRound", fee.toString(), r.account(),
          "reward.poolPerRound: requester " + r.name() + " must pay a fee of at least " + l.minFee() + ", got "
              + feeText(request, fee));
    }
  }

  /**
   * What a request pays, in the token's base units: its reward pool for a compute job (paid once),
   * the pool per round times the rounds for a tree-mode job; 0 without a reward.
   */
  public static BigInteger fee(TrainingRequest request) {
    if (request.reward() == null) {
      return BigInteger.ZERO;
    }
    BigInteger pool = new BigInteger(request.reward().poolPerRound());
    return request.federation() == null ? pool : pool.multiply(BigInteger.valueOf(request.federation().rounds()));
  }

  private static String feeText(TrainingRequest request, BigInteger fee) {
    return request.federation() == null || request.reward() == null ? fee.toString()
        : fee + " (reward.poolPerRound " + request.reward().poolPerRound() + " x federation.rounds "
            + request.federation().rounds() + ")";
  }

  private static int concurrentTrials(SweepSpec sweep) {
    return sweep == null ? 1 : Math.max(1, Math.min(sweep.maxConcurrent(), sweep.trialCount()));
  }

  private static Unauthorized over(Requester r, String field, Object value, String what, String valueText,
      Object limit) {
    return new Unauthorized(Denial.OVER_LIMIT, field, String.valueOf(value), r.account(),
        field + ": requester " + r.name() + " may ask for at most " + limit + " " + what + ", got " + valueText);
  }

  private static String roles(Requester r) {
    return r.roles().stream().sorted().map(Role::wire).toList().toString();
  }

  private static String header(Headers headers, String name) {
    Header h = headers == null ? null : headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String shown(String v) {
    return v.length() <= 80 ? v : v.substring(0, 77) + "...";
  }
}
