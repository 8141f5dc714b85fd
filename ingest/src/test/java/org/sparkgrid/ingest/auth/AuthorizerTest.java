package org.sparkgrid.ingest.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.core.auth.SignedMessage.Kind;
import org.sparkgrid.core.request.RequestCodec;
import org.sparkgrid.core.request.TrainingRequest;
import org.sparkgrid.ingest.Refusal;
import org.sparkgrid.ingest.jobs.Job;
import org.sparkgrid.ingest.jobs.JobState;

/** Each check of the Authorizer on one hand-made record; signatures by {@link HashSignatures}. */
class AuthorizerTest {
  static final long NOW = 1_796_428_800_000L;
  static final String ALICE = "0x" + "a".repeat(40);
  static final String BOB = "0x" + "b".repeat(40);
  static final String ROOT = "0x" + "c".repeat(40);
  static final String STRANGER = "0x" + "d".repeat(40);

  final RequesterRegistry registry = new RequesterRegistry(List.of(
      new Requester("alice", ALICE, Set.of(Role.SUBMIT, Role.CANCEL_OWN),
          new Limits(4, 2, 10, BigInteger.valueOf(1000), BigInteger.valueOf(10), BigInteger.valueOf(5000))),
      new Requester("bob", BOB, Set.of(Role.CANCEL_OWN), null),
      new Requester("root", ROOT, Set.of(Role.ADMIN), null)));
  final Map<String, String> nonces = new HashMap<>();
  final ReplayGuard replay = (account, nonce, source) -> {
    String before = nonces.putIfAbsent(account + "/" + nonce, source);
    return before == null || before.equals(source);
  };
  final Authorizer auth = new Authorizer(() -> registry, HashSignatures.RECOVERY,
      Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), Duration.ofMinutes(5), replay, true);

  static String json(String id, String extra) {
    return """
        {"schema": 1, "id": "%s", "model": {"name": "m", "architecture": "mlp"},
         "data": {"format": "idx", "train": "file:/data/train", "test": "file:/data/test"}, "training": {"epochs": 1}%s}"""
        .formatted(id, extra);
  }

  /** The headers of {@code value} signed by {@code account} at {@code ts} with {@code nonce}. */
  static Headers signed(Kind kind, String account, String key, long ts, String nonce, byte[] value) {
    RecordHeaders h = new RecordHeaders();
    h.add(SignedMessage.SIGNATURE_HEADER, HashSignatures.sign(account,
        SignedMessage.message(kind, key, ts, nonce, value)).getBytes(UTF_8));
    h.add(SignedMessage.SIGNER_HEADER, account.getBytes(UTF_8));
    h.add(SignedMessage.TIMESTAMP_HEADER, Long.toString(ts).getBytes(UTF_8));
    h.add(SignedMessage.NONCE_HEADER, nonce.getBytes(UTF_8));
    return h;
  }

  Identity request(String account, String id, byte[] value, long ts, String nonce) throws Unauthorized {
    return auth.authenticate(Kind.REQUEST, id.getBytes(UTF_8), value, signed(Kind.REQUEST, account, id, ts, nonce,
        value), "requests-0@" + nonce);
  }

  Unauthorized refusal(ThrowingRunnable r) {
    try {
      r.run();
    } catch (Unauthorized e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  interface ThrowingRunnable {
    void run() throws Unauthorized;
  }

  @Test
  void aRequestSignedByARegisteredRequesterIsItsAndPassesItsChecks() throws Unauthorized {
    byte[] value = json("alice.job-1", FEE_OK).getBytes(UTF_8);

    Identity who = request(ALICE, "alice.job-1", value, NOW - 1_000, "n1");
    auth.authorizeRequest(who, RequestCodec.parse(value));

    assertThat(who).isEqualTo(new Identity(ALICE, registry.byName("alice").orElseThrow()));
    assertThat(who.auditAccount()).isEqualTo(ALICE);
  }

  @Test
  void anUnsignedRecordIsRefusedWhereSignaturesAreRequiredAndTakenWhereNot() throws Unauthorized {
    byte[] value = json("x", "").getBytes(UTF_8);

    Unauthorized e = refusal(() -> auth.authenticate(Kind.REQUEST, "x".getBytes(UTF_8), value, new RecordHeaders(),
        "r@1"));
    Authorizer lax = new Authorizer(() -> registry, HashSignatures.RECOVERY, Clock.systemUTC(), Duration.ofMinutes(5),
        replay, false);

    assertThat(e.denial()).isEqualTo(Denial.UNSIGNED);
    assertThat(e.getMessage()).isEqualTo("unsigned: the record carries no signature (headers sparkgrid.signature,"
        + " sparkgrid.signer, sparkgrid.timestamp, sparkgrid.nonce); this service takes only records signed by a"
        + " registered requester");
    assertThat(e.refusal()).isEqualTo(new Refusal(Refusal.Reason.UNAUTHORIZED, "sparkgrid.signature", null,
        e.getMessage()));
    assertThat(lax.authenticate(Kind.REQUEST, null, value, new RecordHeaders(), "r@1")).isEqualTo(Identity.UNSIGNED);
    assertThat(Identity.UNSIGNED.auditAccount()).isEqualTo("unsigned");
  }

  @Test
  void aMissingHeaderIsNamed() {
    byte[] value = json("alice.a", "").getBytes(UTF_8);
    Headers h = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    h.remove(SignedMessage.NONCE_HEADER);

    Unauthorized e = refusal(() -> auth.authenticate(Kind.REQUEST, "alice.a".getBytes(UTF_8), value, h, "r@1"));

    assertThat(e.getMessage()).isEqualTo("unsigned: the record has no sparkgrid.nonce header; a signed record carries"
        + " all of sparkgrid.signature, sparkgrid.signer, sparkgrid.timestamp, sparkgrid.nonce");
    assertThat(e.field()).isEqualTo("sparkgrid.nonce");
  }

  @Test
  void malformedHeadersAreNamedWithTheirValue() {
    byte[] value = json("alice.a", "").getBytes(UTF_8);
    Headers time = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    time.remove(SignedMessage.TIMESTAMP_HEADER);
    time.add(SignedMessage.TIMESTAMP_HEADER, "yesterday".getBytes(UTF_8));
    Headers signer = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    signer.remove(SignedMessage.SIGNER_HEADER);
    signer.add(SignedMessage.SIGNER_HEADER, "alice".getBytes(UTF_8));
    Headers nonce = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    nonce.remove(SignedMessage.NONCE_HEADER);
    nonce.add(SignedMessage.NONCE_HEADER, "a b".getBytes(UTF_8));
    Headers sig = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    sig.remove(SignedMessage.SIGNATURE_HEADER);
    sig.add(SignedMessage.SIGNATURE_HEADER, "0x1234".getBytes(UTF_8));
    byte[] key = "alice.a".getBytes(UTF_8);

    assertThat(refusal(() -> auth.authenticate(Kind.REQUEST, key, value, time, "r")).getMessage())
        .isEqualTo("malformed-header: sparkgrid.timestamp: must be milliseconds since the epoch, a whole number,"
            + " got 'yesterday'");
    assertThat(refusal(() -> auth.authenticate(Kind.REQUEST, key, value, signer, "r")).getMessage())
        .isEqualTo("malformed-header: sparkgrid.signer: must be an account, 0x and 40 hex digits, got 'alice'");
    assertThat(refusal(() -> auth.authenticate(Kind.REQUEST, key, value, nonce, "r")).getMessage())
        .isEqualTo("malformed-header: sparkgrid.nonce: must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -,"
            + " got 'a b'");
    assertThat(refusal(() -> auth.authenticate(Kind.REQUEST, key, value, sig, "r")).getMessage())
        .isEqualTo("malformed-header: sparkgrid.signature: must be 0x and 130 hex digits (r, s, v), got '0x1234'");
  }

  @Test
  void aBodyChangedAfterSigningIsABadSignature() {
    byte[] value = json("alice.a", "").getBytes(UTF_8);
    Headers h = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    byte[] tampered = json("alice.a", ", \"engine\": {\"workers\": 3}").getBytes(UTF_8);

    Unauthorized e = refusal(() -> auth.authenticate(Kind.REQUEST, "alice.a".getBytes(UTF_8), tampered, h, "r"));

    assertThat(e.denial()).isEqualTo(Denial.BAD_SIGNATURE);
    assertThat(e.getMessage()).startsWith("bad-signature: the signature over this record's request key, timestamp,"
        + " nonce and value was made by 0x").endsWith(", not by its sparkgrid.signer " + ALICE
        + " (a wrong key, or the record was changed after signing)");
    assertThat(e.account()).isEqualTo(ALICE);
  }

  @Test
  void aRequestSignatureIsNoControlSignature() {
    byte[] value = "{\"command\":\"cancel\",\"job\":\"alice.a\"}".getBytes(UTF_8);
    Headers h = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);

    assertThat(refusal(() -> auth.authenticate(Kind.CONTROL, "alice.a".getBytes(UTF_8), value, h, "r")).denial())
        .isEqualTo(Denial.BAD_SIGNATURE);
  }

  @Test
  void anUnknownAccountIsNamed() {
    byte[] value = json("d.a", "").getBytes(UTF_8);

    Unauthorized e = refusal(() -> request(STRANGER, "d.a", value, NOW, "n1"));

    assertThat(e.getMessage()).isEqualTo("unknown-account: " + STRANGER
        + " is not in the requester registry (bin/sparkgrid requester add)");
  }

  @Test
  void aTimestampOutsideTheSkewWindowIsExpiredEitherWay() throws Unauthorized {
    byte[] value = json("alice.a", "").getBytes(UTF_8);

    assertThat(refusal(() -> request(ALICE, "alice.a", value, NOW - 300_001, "n1")).getMessage())
        .isEqualTo("expired: signed at 1796428499999, 300001 ms before the service's clock (1796428800000); the"
            + " window is 300000 ms either way (spark.sparkgrid.auth.clockSkewMs)");
    assertThat(refusal(() -> request(ALICE, "alice.a", value, NOW + 300_001, "n2")).getMessage())
        .contains("300001 ms after the service's clock");
    assertThat(request(ALICE, "alice.a", value, NOW - 300_000, "n3").name()).isEqualTo("alice");
  }

  @Test
  void aNonceUsedForAnotherRecordIsReplayedButTheSameRecordReadAgainIsNot() throws Unauthorized {
    byte[] value = json("alice.a", "").getBytes(UTF_8);
    Headers h = signed(Kind.REQUEST, ALICE, "alice.a", NOW, "n1", value);
    byte[] key = "alice.a".getBytes(UTF_8);

    auth.authenticate(Kind.REQUEST, key, value, h, "requests-0@7");
    auth.authenticate(Kind.REQUEST, key, value, h, "requests-0@7");
    Unauthorized e = refusal(() -> auth.authenticate(Kind.REQUEST, key, value, h, "requests-0@8"));

    assertThat(e.getMessage()).isEqualTo("replayed: nonce n1 was already used by " + ALICE + " (requester alice)"
        + " for another record; sign each record with a new nonce");
  }

  @Test
  void aRequesterWithoutSubmitCannotSubmit() throws Unauthorized {
    byte[] value = json("bob.a", "").getBytes(UTF_8);
    Identity bob = request(BOB, "bob.a", value, NOW, "n1");

    assertThat(refusal(() -> auth.authorizeRequest(bob, RequestCodec.parse(value))).getMessage())
        .isEqualTo("role-missing: requester bob (" + BOB + ") has roles [cancel-own], not submit");
  }

  @Test
  void anIdOutsideTheRequestersNamespaceIsRefused() throws Unauthorized {
    byte[] value = json("bob.a", "").getBytes(UTF_8);
    Identity alice = request(ALICE, "bob.a", value, NOW, "n1");

    Unauthorized e = refusal(() -> auth.authorizeRequest(alice, RequestCodec.parse(value)));

    assertThat(e.getMessage()).isEqualTo("outside-namespace: request id 'bob.a' is not in requester alice's"
        + " namespace: its ids start with 'alice.'");
    assertThat(e.field()).isEqualTo("id");
    assertThat(e.value()).isEqualTo("bob.a");
  }

  private Unauthorized overLimit(String extra) {
    TrainingRequest r = RequestCodec.parse(json("alice.a", extra));
    return refusal(() -> Authorizer.checkLimits(registry.byName("alice").orElseThrow(), r));
  }

  private static final String FEE_OK = ", \"reward\": {\"poolPerRound\": \"100\"}";

  @Test
  void eachLimitIsCheckedNamingTheFieldTheValueAndTheLimit() throws Unauthorized {
    assertThat(overLimit(", \"engine\": {\"workers\": 5}" + FEE_OK).getMessage())
        .isEqualTo("over-limit: engine.workers: requester alice may ask for at most 4 workers at once, got 5");
    assertThat(overLimit(", \"engine\": {\"workers\": 3}, \"sweep\": {\"parameters\": {\"training.seed\": [1, 2, 3]},"
        + " \"maxConcurrent\": 2}" + FEE_OK).getMessage())
        .isEqualTo("over-limit: engine.workers: requester alice may ask for at most 4 workers at once, got 6"
            + " (engine.workers 3 x 2 trials at once)");
    assertThat(overLimit(", \"engine\": {\"workers\": 2, \"resources\": {\"gpus\": 2}}" + FEE_OK).getMessage())
        .isEqualTo("over-limit: engine.resources.gpus: requester alice may ask for at most 2 GPUs at once, got 4"
            + " (2 workers x 2 GPUs each)");
    assertThat(overLimit(", \"mode\": \"tree\", \"federation\": {\"sites\": \"file:/f.json\", \"rounds\": 11}"
        + FEE_OK).getMessage())
        .isEqualTo("over-limit: federation.rounds: requester alice may ask for at most 10 rounds, got 11");
    assertThat(overLimit(", \"reward\": {\"poolPerRound\": \"1001\"}").getMessage())
        .isEqualTo("over-limit: reward.poolPerRound: requester alice may ask for at most 1000 reward pool per round,"
            + " got 1001");
    assertThat(overLimit(", \"mode\": \"tree\", \"federation\": {\"sites\": \"file:/f.json\", \"rounds\": 10},"
        + " \"reward\": {\"poolPerRound\": \"501\"}").getMessage())
        .isEqualTo("over-limit: reward.poolPerRound: requester alice may ask for at most 5000 fee, got 5010"
            + " (reward.poolPerRound 501 x federation.rounds 10)");
    assertThat(overLimit("").getMessage())
        .isEqualTo("over-limit: reward.poolPerRound: requester alice must pay a fee of at least 10, got 0");
    Authorizer.checkLimits(registry.byName("alice").orElseThrow(), RequestCodec.parse(json("alice.a",
        ", \"engine\": {\"workers\": 4, \"resources\": {\"gpus\": 0}}" + FEE_OK)));
  }

  private static Optional<Job> job(String id, String requester) {
    Instant t = Instant.ofEpochMilli(NOW);
    return Optional.of(new Job(id, "{}", JobState.RUNNING, 0, 0, t, t, t, null, null, null, null, null, 1, "svc", t, t,
        requester));
  }

  @Test
  void aCommandIsObeyedFromTheOwnerWithCancelOwnOrAnAdmin() throws Unauthorized {
    Identity alice = new Identity(ALICE, registry.byName("alice").orElseThrow());
    Identity bob = new Identity(BOB, registry.byName("bob").orElseThrow());
    Identity root = new Identity(ROOT, registry.byName("root").orElseThrow());

    auth.authorizeCommand(alice, "cancel", "alice.a", job("alice.a", "alice"));
    auth.authorizeCommand(root, "cancel", "alice.a", job("alice.a", "alice"));
    auth.authorizeCommand(root, "exclude-site", "legacy", job("legacy", null));
    auth.authorizeCommand(root, "cancel", "nothing", Optional.empty());
    auth.authorizeCommand(Identity.UNSIGNED, "cancel", "alice.a", job("alice.a", "alice")); // where unsigned is taken

    assertThat(refusal(() -> auth.authorizeCommand(bob, "cancel", "alice.a", job("alice.a", "alice"))).getMessage())
        .isEqualTo("not-owner: requester bob may not cancel job 'alice.a': requester alice submitted it, and only the"
            + " owner (with cancel-own) or an admin may");
    assertThat(refusal(() -> auth.authorizeCommand(alice, "exclude-site", "legacy", job("legacy", null))).getMessage())
        .isEqualTo("not-owner: requester alice may not exclude-site job 'legacy': it was submitted unsigned, and only"
            + " the owner (with cancel-own) or an admin may");
    assertThat(refusal(() -> auth.authorizeCommand(alice, "cancel", "alice.b", Optional.empty())).getMessage())
        .isEqualTo("not-owner: requester alice may not cancel job 'alice.b': the job store has no such job, and only"
            + " the owner (with cancel-own) or an admin may");
    Identity noCancel = new Identity(ALICE, new Requester("alice", ALICE, Set.of(Role.SUBMIT), null));
    assertThat(refusal(() -> auth.authorizeCommand(noCancel, "cancel", "alice.a", job("alice.a", "alice")))
        .getMessage()).isEqualTo("role-missing: requester alice (" + ALICE + ") has roles [submit], not cancel-own");
  }
}
