package org.sparkgrid.ingest.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignatureRecovery;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;

/**
 * {@link EventVerifier}'s rules on hand-made records. The signature scheme here is a stand-in with
 * the one property that matters (EIP-191's is tested in settlement): the signature names its
 * account and a digest of the signed text, so other text "recovers" some other account, as
 * secp256k1 recovery does.
 */
class EventVerifierTest {
  private static final String SERVICE = "0x" + "a".repeat(40);
  private static final String STRANGER = "0x" + "b".repeat(40);
  private static final String JOB = "local.job-1";

  /** sig = 0x + account (40) + sha256(text) (64) + 26 zeros: 130 hex digits, as a real one. */
  private static final SignatureRecovery RECOVERY = (message, signature) -> {
    if (!signature.matches("0x[0-9a-f]{130}")) {
      throw new IllegalArgumentException("signature must be 0x and 130 hex digits (r, s, v), got '" + signature + "'");
    }
    String digest = sha256(message);
    return signature.substring(42, 106).equals(digest) ? "0x" + signature.substring(2, 42)
        : "0x" + sha256((signature + digest).getBytes(StandardCharsets.UTF_8)).substring(0, 40);
  };

  private static MessageSigner signer(String account) {
    return new MessageSigner() {
      @Override
      public String account() {
        return account;
      }

      @Override
      public String sign(byte[] message) {
        return "0x" + account.substring(2) + sha256(message) + "0".repeat(26);
      }
    };
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] event(long seq, JobEvent.Payload payload) {
    return new JobEvent(JOB, seq, Instant.parse("2026-12-04T10:00:00Z"), payload).toJson();
  }

  private static Headers signed(MessageSigner by, SignedMessage.Kind kind, byte[] value) {
    Headers h = new RecordHeaders();
    SignatureHeaders.sign(by, kind, JOB, value, 1_796_428_800_000L).addTo(h);
    return h;
  }

  private static Headers signed(byte[] value) {
    return signed(signer(SERVICE), SignedMessage.Kind.EVENT, value);
  }

  private static DroppedEvent dropped(EventVerifier.Verdict v) {
    assertThat(v).isInstanceOf(EventVerifier.Dropped.class);
    return ((EventVerifier.Dropped) v).dropped();
  }

  @Test
  void anEventTheServiceSignedIsAccepted() {
    byte[] value = event(1, new JobEvent.Queued(0));

    EventVerifier.Verdict v = EventVerifier.of(SERVICE, RECOVERY).check(7, JOB, value, signed(value));

    assertThat(v).isInstanceOf(EventVerifier.Accepted.class);
    assertThat(((EventVerifier.Accepted) v).event().payload()).isEqualTo(new JobEvent.Queued(0));
  }

  @Test
  void anUnsignedEventIsDroppedAsUnsigned() {
    byte[] value = event(5, new JobEvent.Succeeded("m", "1", Map.of()));

    DroppedEvent d = dropped(EventVerifier.of(SERVICE, RECOVERY).check(9, JOB, value, new RecordHeaders()));

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.UNSIGNED);
    assertThat(d.offset()).isEqualTo(9);
    assertThat(d.message()).isEqualTo("ignored an event for local.job-1 not signed by the service " + SERVICE
        + ": unsigned (no sparkgrid.signature header)");
  }

  @Test
  void anEventSignedByAnotherKeyIsDroppedAsWrongSigner() {
    byte[] value = event(5, new JobEvent.Succeeded("m", "1", Map.of()));

    DroppedEvent d = dropped(EventVerifier.of(SERVICE, RECOVERY)
        .check(1, JOB, value, signed(signer(STRANGER), SignedMessage.Kind.EVENT, value)));

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.WRONG_SIGNER);
    assertThat(d.message()).isEqualTo("ignored an event for local.job-1 not signed by the service " + SERVICE
        + ": wrong signer (signed by " + STRANGER + ")");
  }

  @Test
  void anEventChangedAfterSigningIsDroppedAsABadSignature() {
    byte[] value = event(2, new JobEvent.Failed("out of memory"));
    Headers h = signed(value);
    byte[] changed = event(2, new JobEvent.Succeeded("m", "1", Map.of()));

    DroppedEvent d = dropped(EventVerifier.of(SERVICE, RECOVERY).check(1, JOB, changed, h));

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.BAD_SIGNATURE);
    assertThat(d.detail()).startsWith("it recovers 0x").endsWith(", not the claimed signer " + SERVICE
        + ": the record was changed after it was signed");
  }

  @Test
  void aServiceSignatureMadeForARequestIsNotAnEventSignature() {
    byte[] value = event(1, new JobEvent.Queued(0));

    DroppedEvent d = dropped(EventVerifier.of(SERVICE, RECOVERY)
        .check(1, JOB, value, signed(signer(SERVICE), SignedMessage.Kind.REQUEST, value)));

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.BAD_SIGNATURE);
  }

  @Test
  void aMalformedSignatureOrAMissingHeaderIsABadSignatureNamingIt() {
    byte[] value = event(1, new JobEvent.Queued(0));
    Headers noNonce = signed(value);
    noNonce.remove(SignedMessage.NONCE_HEADER);
    Headers shortSig = signed(value);
    shortSig.remove(SignedMessage.SIGNATURE_HEADER);
    shortSig.add(SignedMessage.SIGNATURE_HEADER, "0x1234".getBytes(StandardCharsets.UTF_8));

    DroppedEvent a = dropped(EventVerifier.of(SERVICE, RECOVERY).check(1, JOB, value, noNonce));
    DroppedEvent b = dropped(EventVerifier.of(SERVICE, RECOVERY).check(1, JOB, value, shortSig));

    assertThat(a.reason()).isEqualTo(DroppedEvent.Reason.BAD_SIGNATURE);
    assertThat(a.detail()).startsWith("sparkgrid.nonce: missing");
    assertThat(b.reason()).isEqualTo(DroppedEvent.Reason.BAD_SIGNATURE);
    assertThat(b.detail()).isEqualTo("signature must be 0x and 130 hex digits (r, s, v), got '0x1234'");
  }

  @Test
  void theSameSignedEventTwiceIsAReplay() {
    EventVerifier verifier = EventVerifier.of(SERVICE, RECOVERY);
    byte[] value = event(2, new JobEvent.Started(1));
    Headers h = signed(value);
    String nonce = SignatureHeaders.read(h).orElseThrow().nonce();

    assertThat(verifier.check(1, JOB, value, h)).isInstanceOf(EventVerifier.Accepted.class);
    DroppedEvent d = dropped(verifier.check(2, JOB, value, h));

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.REPLAYED);
    assertThat(d.message()).isEqualTo("ignored an event for local.job-1 signed by the service " + SERVICE
        + " but replayed (nonce " + nonce + " was already used by event #2)");
  }

  @Test
  void aLowerSeqAfterAHigherOneIsOutOfSequenceAndGapsAreFine() {
    EventVerifier verifier = EventVerifier.of(SERVICE, RECOVERY);
    byte[] three = event(3, new JobEvent.Epoch(1, Map.of()));
    byte[] two = event(2, new JobEvent.Started(1));
    byte[] five = event(5, new JobEvent.Epoch(2, Map.of()));

    assertThat(verifier.check(1, JOB, three, signed(three))).isInstanceOf(EventVerifier.Accepted.class);
    DroppedEvent d = dropped(verifier.check(2, JOB, two, signed(two)));
    DroppedEvent same = dropped(verifier.check(3, JOB, three, signed(three))); // freshly signed, same seq

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.OUT_OF_SEQUENCE);
    assertThat(d.detail()).isEqualTo("event #2 after event #3");
    assertThat(same.detail()).isEqualTo("event #3 after event #3");
    assertThat(verifier.check(4, JOB, five, signed(five))).isInstanceOf(EventVerifier.Accepted.class);
  }

  @Test
  void aSeqZeroAnswerIsAcceptedOncePerNonce() {
    EventVerifier verifier = EventVerifier.of(SERVICE, RECOVERY);
    byte[] refused = event(0, new JobEvent.CommandRefused("cancel", "job: unknown job local.job-1"));
    Headers first = signed(refused);
    Headers second = signed(refused);
    byte[] four = event(4, new JobEvent.Started(1));

    assertThat(verifier.check(1, JOB, four, signed(four))).isInstanceOf(EventVerifier.Accepted.class);
    assertThat(verifier.check(2, JOB, refused, first)).isInstanceOf(EventVerifier.Accepted.class);
    assertThat(verifier.check(3, JOB, refused, second)).isInstanceOf(EventVerifier.Accepted.class);
    assertThat(dropped(verifier.check(4, JOB, refused, first)).reason()).isEqualTo(DroppedEvent.Reason.REPLAYED);
  }

  @Test
  void aSignedEventOfAnotherJobUnderThisKeyIsUnreadable() {
    byte[] other = new JobEvent("local.job-2", 1, Instant.parse("2026-12-04T10:00:00Z"), new JobEvent.Queued(0)).toJson();

    DroppedEvent d = dropped(EventVerifier.of(SERVICE, RECOVERY).check(1, JOB, other, signed(other)));

    assertThat(d.reason()).isEqualTo(DroppedEvent.Reason.UNREADABLE);
    assertThat(d.detail()).isEqualTo("its job field 'local.job-2' is not the record's key 'local.job-1'");
  }

  @Test
  void withoutAServiceAccountEveryReadableEventIsAcceptedAndGarbageIsDropped() {
    EventVerifier verifier = EventVerifier.unverified();
    byte[] value = event(5, new JobEvent.Succeeded("m", "1", Map.of()));

    assertThat(verifier.verifies()).isFalse();
    assertThat(verifier.check(1, JOB, value, new RecordHeaders())).isInstanceOf(EventVerifier.Accepted.class);
    assertThat(verifier.check(2, JOB, value, new RecordHeaders())).isInstanceOf(EventVerifier.Accepted.class);
    DroppedEvent d = dropped(verifier.check(3, JOB, "{not json".getBytes(StandardCharsets.UTF_8), new RecordHeaders()));
    assertThat(d.message()).startsWith("ignored an event for local.job-1: unreadable (not an event: ");
  }

  @Test
  void aServiceAccountThatIsNotAnAccountIsRefusedNamingTheKey() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EventVerifier.of("0x12", RECOVERY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("spark.sparkgrid.events.serviceAccount: must be an account, 0x and 40 hex digits, got '0x12'");
  }
}
