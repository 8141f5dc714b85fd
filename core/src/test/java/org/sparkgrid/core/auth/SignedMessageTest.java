package org.sparkgrid.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SignedMessageTest {

  @Test
  void theSignedTextIsFiveLinesWithTheBodysSha256() {
    byte[] m = SignedMessage.message(SignedMessage.Kind.REQUEST, "alice.job-1", 1796428800000L, "n-01",
        "abc".getBytes(StandardCharsets.UTF_8));

    // sha256("abc") from FIPS 180-2, appendix B.1
    assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo("SparkGrid request v1\n"
        + "key: alice.job-1\n"
        + "timestamp: 1796428800000\n"
        + "nonce: n-01\n"
        + "sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
  }

  @Test
  void theKindAndAMissingKeyShowInTheText() {
    String m = new String(SignedMessage.message(SignedMessage.Kind.EVENT, null, 0, "x", new byte[0]),
        StandardCharsets.UTF_8);

    assertThat(m).startsWith("SparkGrid event v1\nkey: \ntimestamp: 0\nnonce: x\n");
  }

  @Test
  void badFieldsAreNamed() {
    byte[] b = new byte[0];
    assertThatThrownBy(() -> SignedMessage.message(SignedMessage.Kind.CONTROL, "a\nb", 0, "x", b))
        .hasMessage("key: must not hold a line break");
    assertThatThrownBy(() -> SignedMessage.message(SignedMessage.Kind.CONTROL, "a", -1, "x", b))
        .hasMessage("sparkgrid.timestamp: must be at least 0, got -1");
    assertThatThrownBy(() -> SignedMessage.message(SignedMessage.Kind.CONTROL, "a", 0, "a b", b))
        .hasMessage("sparkgrid.nonce: must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -, got 'a b'");
    assertThatThrownBy(() -> SignedMessage.checkNonce("n".repeat(65)))
        .hasMessageEndingWith("got 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn'");
  }

  @Test
  void freshNoncesAre32HexDigitsAndDiffer() {
    String a = SignedMessage.newNonce();
    assertThat(a).matches("[0-9a-f]{32}");
    assertThat(SignedMessage.newNonce()).isNotEqualTo(a);
  }

  @Test
  void accountsAreLowerCasedAndCheckedByName() {
    assertThat(SignedMessage.account("signer", "0x2C7536E3605D9C16a7a3D7b1898e529396a65c23"))
        .isEqualTo("0x2c7536e3605d9c16a7a3d7b1898e529396a65c23");
    assertThatThrownBy(() -> SignedMessage.account("registry.alice.account", "0x12"))
        .hasMessage("registry.alice.account: must be an account, 0x and 40 hex digits, got '0x12'");
  }
}
