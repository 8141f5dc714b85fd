package org.sparkgrid.settlement.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.settlement.chain.ChainKey;

/** {@link LocalKeys}: a key made once under a private directory, then the same key every time. */
class LocalKeysTest {
  @TempDir Path dir;

  @Test
  void makesAKeyOnceWithPrivateFilesAndLoadsTheSameOneAfter() throws Exception {
    Path keys = dir.resolve("home/keys");

    ChainKey first = LocalKeys.loadOrCreate(keys, "service");
    ChainKey again = LocalKeys.loadOrCreate(keys, "service");

    assertThat(again.address()).isEqualTo(first.address());
    assertThat(Files.readString(keys.resolve("service.account"))).isEqualTo(first.address() + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
    for (String f : new String[] {"service.json", "service.password", "service.account"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(f)))).as(f).isEqualTo("rw-------");
    }
    // a real V3 keystore: ChainKey opens it with the password file, and it signs as its account
    ChainKey opened = ChainKey.fromKeystore(keys.resolve("service.json"), keys.resolve("service.password"));
    byte[] m = SignedMessage.message(SignedMessage.Kind.EVENT, "local.j", 1L, "n1", new byte[] {1});
    assertThat(PersonalSignatures.RECOVERY.signer(m, PersonalSignatures.signer(opened).sign(m))).isEqualTo(first.address());
  }

  @Test
  void twoNamesAreTwoKeys() throws Exception {
    assertThat(LocalKeys.loadOrCreate(dir, "service").address())
        .isNotEqualTo(LocalKeys.loadOrCreate(dir, "requester").address());
  }

  @Test
  void aKeystoreWithoutItsPasswordFileIsRefusedNamingIt() throws Exception {
    LocalKeys.loadOrCreate(dir, "service");
    Files.delete(dir.resolve("service.password"));

    assertThatThrownBy(() -> LocalKeys.loadOrCreate(dir, "service"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("password file " + dir.resolve("service.password") + " is not a file");
  }
}
