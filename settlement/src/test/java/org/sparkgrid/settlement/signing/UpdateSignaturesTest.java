package org.sparkgrid.settlement.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.LocalChain;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;
import org.web3j.utils.Numeric;

class UpdateSignaturesTest {
  private static final ChainKey SITE = LocalChain.derive(LocalChain.DEV_MNEMONIC, 1);   // 0x7099...79c8
  private static final ChainKey OTHER = LocalChain.derive(LocalChain.DEV_MNEMONIC, 2);
  private static final float[] DELTA = {0.5f, -1.25f, 3f};

  private static byte[] digest(float[] delta) {
    return UpdateSignatures.digest("fed-1", 2, "site-01", delta, 600);
  }

  @Test
  void theSignerRecoversAsTheSitesAddress() {
    String signature = UpdateSignatures.sign(SITE, digest(DELTA));

    assertThat(signature).matches("0x[0-9a-f]{130}");
    assertThat(UpdateSignatures.signer(digest(DELTA), signature)).isEqualTo("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  }

  @Test
  void aDeltaChangedAfterSigningRecoversAnotherAddress() {
    String signature = UpdateSignatures.sign(SITE, digest(DELTA));
    float[] tampered = DELTA.clone();
    tampered[1] = Math.nextUp(tampered[1]);

    assertThat(UpdateSignatures.signer(digest(tampered), signature)).isNotEqualTo(SITE.address());
  }

  @Test
  void everySignedFieldCounts() {
    String signature = UpdateSignatures.sign(SITE, digest(DELTA));

    for (byte[] other : new byte[][] {
        UpdateSignatures.digest("fed-2", 2, "site-01", DELTA, 600),
        UpdateSignatures.digest("fed-1", 3, "site-01", DELTA, 600),
        UpdateSignatures.digest("fed-1", 2, "site-02", DELTA, 600),
        UpdateSignatures.digest("fed-1", 2, "site-01", DELTA, 601)}) {
      assertThat(UpdateSignatures.signer(other, signature)).isNotEqualTo(SITE.address());
    }
  }

  @Test
  void anotherKeysSignatureRecoversThatKey() {
    String forged = UpdateSignatures.sign(OTHER, digest(DELTA));

    assertThat(UpdateSignatures.signer(digest(DELTA), forged)).isEqualTo(OTHER.address()).isNotEqualTo(SITE.address());
  }

  @Test
  void theDeltaIsHashedAsLittleEndianFloatBitsWithSha256() throws Exception {
    // 1.0f is 0x3f800000: little-endian bytes 00 00 80 3f
    assertThat(UpdateSignatures.deltaHash(new float[] {1f}))
        .isEqualTo(MessageDigest.getInstance("SHA-256").digest(new byte[] {0, 0, (byte) 0x80, 0x3f}));
    // SHA-256 of the empty input, the standard's own test vector
    assertThat(Numeric.toHexStringNoPrefix(UpdateSignatures.deltaHash(new float[0])))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void theDigestIsTheDocumentedLayout() {
    assertThat(digest(DELTA)).isEqualTo(Hash.sha3(layout(UpdateSignatures.deltaHash(DELTA), 0, new byte[32])));
  }

  @Test
  void theDigestFromTheDeltasHashIsTheDigestFromTheDelta() {
    assertThat(UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA), 600))
        .isEqualTo(digest(DELTA));
    assertThatThrownBy(() -> UpdateSignatures.digestOfHash("fed-1", 2, "site-01", new byte[31], 600))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deltaHash must be 32 bytes (SHA-256), got 31");
  }

  @Test
  void theLocalStepsAndTheControlDeltaAreSignedInTheDocumentedLayout() {
    float[] control = {0.125f, -2f, 0f};
    byte[] signed = UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA), 600, 19,
        control);

    assertThat(signed).isEqualTo(Hash.sha3(layout(UpdateSignatures.deltaHash(DELTA), 19,
        UpdateSignatures.deltaHash(control))));
    String signature = UpdateSignatures.sign(SITE, signed);
    float[] tampered = control.clone();
    tampered[2] = 1e-30f;
    for (byte[] other : new byte[][] {
        UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA), 600, 18, control),
        UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA), 600, 19, tampered),
        UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA), 600, 19, null),
        digest(DELTA)}) {
      assertThat(UpdateSignatures.signer(other, signature)).isNotEqualTo(SITE.address());
    }
  }

  @Test
  void withoutAControlDeltaZerosAreSignedAndNegativeStepsAreRefused() {
    assertThat(UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA), 600, 7, null))
        .isEqualTo(Hash.sha3(layout(UpdateSignatures.deltaHash(DELTA), 7, new byte[32])));
    assertThatThrownBy(() -> UpdateSignatures.digestOfHash("fed-1", 2, "site-01", UpdateSignatures.deltaHash(DELTA),
        600, -1, null)).isInstanceOf(IllegalArgumentException.class).hasMessage("localSteps must be >= 0, got -1");
  }

  @Test
  void aSignatureOfTheOlderKeccakLayoutDoesNotVerify() {
    // version 2 hashed the delta with Keccak-256 under another domain: such a signature recovers another address
    byte[] head = "SparkGrid update v2\0fed-1\0site-01\0".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(head.length + 4 + 8 + 32 + 8 + 32);
    b.put(head).putInt(2).putLong(600).put(Hash.sha3(littleEndian(DELTA))).putLong(0).put(new byte[32]);
    String old = UpdateSignatures.sign(SITE, Hash.sha3(b.array()));

    assertThat(UpdateSignatures.signer(digest(DELTA), old)).isNotEqualTo(SITE.address());
  }

  /** Version 3's bytes for fed-1, round 2, site-01, 600 examples. */
  private static byte[] layout(byte[] deltaHash, long localSteps, byte[] controlHash) {
    byte[] head = "SparkGrid update v3\0fed-1\0site-01\0".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(head.length + 4 + 8 + 32 + 8 + 32);
    return b.put(head).putInt(2).putLong(600).put(deltaHash).putLong(localSteps).put(controlHash).array();
  }

  private static byte[] littleEndian(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  @Test
  void theSignatureIsAnEthereumPersonalMessageSignature() {
    // what eth_sign / personal_sign of the 32-byte digest gives: recoverable with the EIP-191 prefix
    String signature = UpdateSignatures.sign(SITE, digest(DELTA));
    byte[] rsv = Numeric.hexStringToByteArray(signature);
    Sign.SignatureData sig = new Sign.SignatureData(rsv[64], java.util.Arrays.copyOfRange(rsv, 0, 32),
        java.util.Arrays.copyOfRange(rsv, 32, 64));

    byte[] prefixed = Hash.sha3(concat("\u0019Ethereum Signed Message:\n32".getBytes(StandardCharsets.US_ASCII),
        digest(DELTA)));
    assertThat("0x" + Keys.getAddress(recover(prefixed, sig))).isEqualTo(SITE.address());
  }

  @Test
  void aMalformedSignatureIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> UpdateSignatures.signer(digest(DELTA), "0x1234"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("signature must be 0x and 130 hex digits (r, s, v), got '0x1234'");
    String badV = UpdateSignatures.sign(SITE, digest(DELTA)).substring(0, 130) + "05";
    assertThatThrownBy(() -> UpdateSignatures.signer(digest(DELTA), badV))
        .hasMessage("signature's v must be 27 or 28, got 5");
  }

  @Test
  void anIdWithAZeroCharacterIsRefused() {
    assertThatThrownBy(() -> UpdateSignatures.digest("fed\0x", 0, "s", DELTA, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("jobId must be non-empty and hold no 0 character, got 'fed\\0x'");
  }

  private static java.math.BigInteger recover(byte[] hash, Sign.SignatureData sig) {
    try {
      return Sign.signedMessageHashToKey(hash, sig);
    } catch (java.security.SignatureException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
