package org.sparkgrid.settlement.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.WalletUtils;

class ChainKeyTest {
  // anvil's account 0 of the well-known development mnemonic (public knowledge, holds nothing)
  private static final String DEV_KEY_0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  @Test
  void toStringShowsTheAddressNotTheKey() {
    ChainKey key = ChainKey.ofPrivateKey(DEV_KEY_0);

    assertThat(key.toString()).isEqualTo("ChainKey[0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266]");
    assertThat(key.toString()).doesNotContain(DEV_KEY_0.substring(0, 16));
  }

  @Test
  void developmentKeysDeriveFromTheMnemonicAsAnvilDoes() {
    assertThat(LocalChain.derive(LocalChain.DEV_MNEMONIC, 0).address())
        .isEqualTo("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    assertThat(LocalChain.derive(LocalChain.DEV_MNEMONIC, 1).address())
        .isEqualTo("0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
  }

  @Test
  void aKeystoreOpensWithItsPassword(@TempDir Path dir) throws Exception {
    String file = WalletUtils.generateWalletFile("s3cret", ChainKey.ofPrivateKey(DEV_KEY_0).credentials().getEcKeyPair(),
        dir.toFile(), false);

    ChainKey key = ChainKey.fromKeystore(dir.resolve(file), "s3cret".toCharArray());

    assertThat(key.address()).isEqualTo("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  }

  @Test
  void aWrongPasswordIsRefusedWithoutTheKey(@TempDir Path dir) throws Exception {
    String file = WalletUtils.generateWalletFile("s3cret", ChainKey.ofPrivateKey(DEV_KEY_0).credentials().getEcKeyPair(),
        dir.toFile(), false);
    char[] wrong = "wrong".toCharArray();

    assertThatThrownBy(() -> ChainKey.fromKeystore(dir.resolve(file), wrong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("keystore " + dir.resolve(file) + " cannot be opened with this password");
    assertThat(wrong).containsOnly('\0'); // the password is cleared
  }

  @Test
  void aMalformedKeyIsRefusedWithoutEchoingIt() {
    assertThatThrownBy(() -> ChainKey.ofPrivateKey("0x1234secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a private key must be 64 hex digits (optionally after 0x)");
  }
}
