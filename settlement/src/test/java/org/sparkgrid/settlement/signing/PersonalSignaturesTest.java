package org.sparkgrid.settlement.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.settlement.chain.ChainKey;

class PersonalSignaturesTest {

  // web3.js's documented example of eth.accounts.sign('Some data', key): the same bytes
  // personal_sign and ethers' wallet.signMessage produce for that key and text.
  private static final String KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
  private static final String ACCOUNT = "0x2c7536e3605d9c16a7a3d7b1898e529396a65c23";
  private static final String SOME_DATA_SIGNATURE = "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
      + "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c";

  @Test
  void signsAsWeb3jsAndEthersDo() {
    MessageSigner signer = PersonalSignatures.signer(ChainKey.ofPrivateKey(KEY));

    assertThat(signer.account()).isEqualTo(ACCOUNT);
    assertThat(signer.sign("Some data".getBytes(StandardCharsets.UTF_8))).isEqualTo(SOME_DATA_SIGNATURE);
  }

  @Test
  void recoversTheSignerOfAPublishedSignature() {
    assertThat(PersonalSignatures.RECOVERY.signer("Some data".getBytes(StandardCharsets.UTF_8), SOME_DATA_SIGNATURE))
        .isEqualTo(ACCOUNT);
  }

  @Test
  void aChangedMessageRecoversAnotherAccount() {
    MessageSigner signer = PersonalSignatures.signer(ChainKey.ofPrivateKey(KEY));
    byte[] body = "{\"id\":\"alice.job-1\"}".getBytes(StandardCharsets.UTF_8);
    byte[] message = SignedMessage.message(SignedMessage.Kind.REQUEST, "alice.job-1", 1_000L, "n-1", body);
    String signature = signer.sign(message);

    byte[] tampered = SignedMessage.message(SignedMessage.Kind.REQUEST, "alice.job-1", 1_000L, "n-1",
        "{\"id\":\"alice.job-2\"}".getBytes(StandardCharsets.UTF_8));
    byte[] asControl = SignedMessage.message(SignedMessage.Kind.CONTROL, "alice.job-1", 1_000L, "n-1", body);

    assertThat(PersonalSignatures.RECOVERY.signer(message, signature)).isEqualTo(ACCOUNT);
    assertThat(PersonalSignatures.RECOVERY.signer(tampered, signature)).isNotEqualTo(ACCOUNT);
    assertThat(PersonalSignatures.RECOVERY.signer(asControl, signature)).isNotEqualTo(ACCOUNT);
  }

  @Test
  void malformedSignaturesAreRefusedSayingWhy() {
    byte[] m = {1, 2, 3};
    assertThatThrownBy(() -> PersonalSignatures.RECOVERY.signer(m, "0x1234"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("signature must be 0x and 130 hex digits (r, s, v), got '0x1234'");
    String v29 = SOME_DATA_SIGNATURE.substring(0, 130) + "1d";
    assertThatThrownBy(() -> PersonalSignatures.RECOVERY.signer(m, v29))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("signature's v must be 27 or 28, got 29");
  }

  @Test
  void libsecp256k1RecoversWhatWeb3jRecovers() {
    // this build's machines are Linux x86_64, where the native library must load
    assertThat(PersonalSignatures.nativeRecovery()).as("libsecp256k1 loaded").isTrue();
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    java.math.BigInteger n = org.web3j.crypto.Sign.CURVE_PARAMS.getN();
    for (int i = 0; i < 200; i++) {
      byte[] keyBytes = new byte[32];
      random.nextBytes(keyBytes);
      ChainKey key = ChainKey.ofPrivateKey(org.web3j.utils.Numeric.toHexString(keyBytes));
      byte[] message = new byte[1 + random.nextInt(300)];
      random.nextBytes(message);
      String signature = PersonalSignatures.sign(key, message);
      byte[] rsv = org.web3j.utils.Numeric.hexStringToByteArray(signature);

      assertThat(PersonalSignatures.RECOVERY.signer(message, signature))
          .isEqualTo(PersonalSignatures.web3jSigner(message, rsv))
          .isEqualTo(key.address().toLowerCase(java.util.Locale.ROOT));

      // the same signature with s' = n - s and v flipped (high s): both accept it, for the same key
      byte[] high = rsv.clone();
      byte[] s2 = org.web3j.utils.Numeric.toBytesPadded(n.subtract(new java.math.BigInteger(1,
          java.util.Arrays.copyOfRange(rsv, 32, 64))), 32);
      System.arraycopy(s2, 0, high, 32, 32);
      high[64] = (byte) (rsv[64] == 27 ? 28 : 27);
      assertThat(PersonalSignatures.RECOVERY.signer(message, org.web3j.utils.Numeric.toHexString(high)))
          .isEqualTo(PersonalSignatures.web3jSigner(message, high));

      // a changed message recovers the same other account in both
      message[0] ^= 1;
      assertThat(PersonalSignatures.RECOVERY.signer(message, signature))
          .isEqualTo(PersonalSignatures.web3jSigner(message, rsv))
          .isNotEqualTo(key.address().toLowerCase(java.util.Locale.ROOT));
    }
  }

  @Test
  void rAndSOffTheCurveRecoverNoKey() {
    String zeros = "0x" + "0".repeat(128) + "1b";
    assertThatThrownBy(() -> PersonalSignatures.RECOVERY.signer(new byte[] {1}, zeros))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("signature recovers no public key");
  }
}
