package org.sparkgrid.federation.sites;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.sparkgrid.federation.sites.FederationFile.SiteKey;

class FederationFileTest {
  private static final String ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

  private static FederationFile parse(String key) {
    return FederationFile.parse(("{\"sites\": [{\"id\": \"s1\", \"data\": \"file:/d\", \"account\": \"" + ACCOUNT + "\""
        + (key == null ? "" : ", \"key\": " + key) + "}]}").getBytes(UTF_8), "fed.json");
  }

  @Test
  void aSiteWithoutAKeyReadsItFromTheDefaultVariable() {
    assertThat(parse(null).site("s1").key()).isEqualTo(new SiteKey.Env("SPARKGRID_SITE_KEY"));
  }

  @Test
  void readsEachKindOfKey() {
    assertThat(parse("{\"env\": \"SITE1_KEY\"}").site("s1").key()).isEqualTo(new SiteKey.Env("SITE1_KEY"));
    assertThat(parse("{\"keystore\": \"/etc/k.json\", \"passwordEnv\": \"PW\"}").site("s1").key())
        .isEqualTo(new SiteKey.Keystore("/etc/k.json", "PW"));
    assertThat(parse("{\"keystore\": \"/etc/k.json\"}").site("s1").key())
        .isEqualTo(new SiteKey.Keystore("/etc/k.json", "SPARKGRID_SITE_KEYSTORE_PASSWORD"));
    assertThat(parse("{\"dev\": 3}").site("s1").key()).isEqualTo(new SiteKey.Dev(3));
  }

  @Test
  void writesTheKeysItReads() {
    FederationFile f = new FederationFile(List.of(
        new FederationFile.Site("a", "file:/a", ACCOUNT, 1.0, List.of("h1")),
        new FederationFile.Site("b", "file:/b", ACCOUNT, 2.0, List.of(), new SiteKey.Keystore("/k.json", "PW")),
        new FederationFile.Site("c", "file:/c", ACCOUNT, 1.0, List.of(), new SiteKey.Dev(7))), Set.of());

    assertThat(FederationFile.parse(f.toJson(), "written")).isEqualTo(f);
  }

  @Test
  void aSiteMayNameItsOwnStoreAndItIsWrittenBack() {
    FederationFile f = FederationFile.parse(("{\"sites\": [{\"id\": \"s1\", \"data\": \"file:/d\", \"account\": \""
        + ACCOUNT + "\", \"store\": \"hdfs://site1/models\"}, {\"id\": \"s2\", \"data\": \"file:/e\","
        + " \"account\": \"" + ACCOUNT + "\"}]}").getBytes(UTF_8), "fed.json");

    assertThat(f.site("s1").store()).isEqualTo("hdfs://site1/models");
    assertThat(f.site("s2").store()).isNull();
    assertThat(f.site("s1").withKey(new SiteKey.Dev(1)).store()).isEqualTo("hdfs://site1/models");
    assertThat(FederationFile.parse(f.toJson(), "written")).isEqualTo(f);
  }

  @Test
  void refusesAnEmptyStore() {
    assertThatThrownBy(() -> FederationFile.parse(("{\"sites\": [{\"id\": \"s1\", \"data\": \"file:/d\","
        + " \"account\": \"" + ACCOUNT + "\", \"store\": \" \"}]}").getBytes(UTF_8), "fed.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fed.json: sites[0].store: must be a non-empty string, got \" \"");
  }

  @Test
  void refusesTwoKindsOfKeyAtOnce() {
    assertThatThrownBy(() -> parse("{\"env\": \"A\", \"dev\": 1}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fed.json: sites[0].key: give exactly one of env, keystore or dev, got env and dev");
  }

  @Test
  void refusesAPasswordVariableWithoutAKeystore() {
    assertThatThrownBy(() -> parse("{\"env\": \"A\", \"passwordEnv\": \"PW\"}"))
        .hasMessage("fed.json: sites[0].key.passwordEnv: only with keystore");
  }

  @Test
  void refusesARelativeKeystorePath() {
    assertThatThrownBy(() -> parse("{\"keystore\": \"keys/site.json\"}"))
        .hasMessage("fed.json: sites[0].key.keystore: 'keys/site.json' must be an absolute path on the site's executor"
            + " host");
  }

  @Test
  void aKeyPutWhereItsVariableBelongsIsRefusedWithoutEchoingIt() {
    String key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    assertThatThrownBy(() -> parse("{\"env\": \"" + key + "\"}"))
        .hasMessage("fed.json: sites[0].key.env: must name an environment variable ([A-Za-z_][A-Za-z0-9_]*, at most"
            + " 128), not hold a key or a password; got 66 characters that are not a name")
        .message().doesNotContain("59c6995e");
    assertThatThrownBy(() -> parse("\"" + key + "\""))
        .hasMessage("fed.json: sites[0].key: must be an object naming where the key is (env, keystore or dev), never"
            + " the key itself; got a string");
  }

  @Test
  void refusesANegativeDevelopmentKey() {
    assertThatThrownBy(() -> parse("{\"dev\": -1}")).hasMessage("fed.json: sites[0].key.dev: must be a whole number >= 0,"
        + " got -1");
  }

  @Test
  void refusesAnUnknownKeyField() {
    assertThatThrownBy(() -> parse("{\"privateKey\": \"0xabc\"}"))
        .hasMessage("fed.json: sites[0].key.privateKey: unknown field (known: [dev, env, keystore, passwordEnv])");
  }
}
