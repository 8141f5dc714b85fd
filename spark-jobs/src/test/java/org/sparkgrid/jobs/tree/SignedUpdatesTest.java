package org.sparkgrid.jobs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkgrid.federation.sites.FederationFile;
import org.sparkgrid.federation.sites.FederationFile.SiteKey;
import org.sparkgrid.federation.strategy.SiteUpdate;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.signing.UpdateSignatures;
import org.web3j.crypto.WalletUtils;

/** Signing on the site ({@link SiteSigning}) and checking on the coordinator ({@link SignatureCheck}), real keys. */
class SignedUpdatesTest {
  private static final ChainKey KEY_1 = LocalChain.derive(LocalChain.DEV_MNEMONIC, 1);
  private static final ChainKey KEY_2 = LocalChain.derive(LocalChain.DEV_MNEMONIC, 2);
  private static final FederationFile FEDERATION = new FederationFile(List.of(
      new FederationFile.Site("site-01", "file:/s1", KEY_1.address(), 1.0, List.of(), new SiteKey.Dev(1)),
      new FederationFile.Site("site-02", "file:/s2", KEY_2.address(), 1.0, List.of(), new SiteKey.Dev(2))), Set.of());
  private static final float[] DELTA = {0.25f, -0.5f, 1f};

  private static String sign(ChainKey key, String site, int round, float[] delta, long examples) {
    return UpdateSignatures.sign(key, SiteSigning.digest("fed-1", round, site, delta, examples));
  }

  private static SignatureCheck check(int round, Map<String, String> signatures) {
    return new SignatureCheck("fed-1", round, FEDERATION, signatures);
  }

  @Test
  void anUpdateSignedByItsSitesAccountPasses() {
    SignatureCheck check = check(4, Map.of("site-01", sign(KEY_1, "site-01", 4, DELTA, 300)));

    assertThat(check.problem(new SiteUpdate("site-01", DELTA, 300))).isEmpty();
  }

  @Test
  void anUpdateSignedByAnotherKeyIsRejectedNamingBothAddresses() {
    SignatureCheck check = check(4, Map.of("site-01", sign(KEY_2, "site-01", 4, DELTA, 300)));

    assertThat(check.problem(new SiteUpdate("site-01", DELTA, 300))).contains("signature check failed: the update of"
        + " site site-01 is signed by " + KEY_2.address() + ", not by the site's account " + KEY_1.address()
        + " (another key, or an update changed after signing)");
  }

  @Test
  void aDeltaChangedAfterSigningIsRejected() {
    SignatureCheck check = check(4, Map.of("site-01", sign(KEY_1, "site-01", 4, DELTA, 300)));
    float[] tampered = {0.25f, -0.5f, 100f};

    assertThat(check.problem(new SiteUpdate("site-01", tampered, 300))).hasValueSatisfying(p ->
        assertThat(p).startsWith("signature check failed: the update of site site-01 is signed by 0x")
            .endsWith(", not by the site's account " + KEY_1.address() + " (another key, or an update changed after"
                + " signing)"));
  }

  @Test
  void anUpdateReplayedFromAnotherRoundIsRejected() {
    SignatureCheck check = check(5, Map.of("site-01", sign(KEY_1, "site-01", 4, DELTA, 300)));

    assertThat(check.problem(new SiteUpdate("site-01", DELTA, 300))).hasValueSatisfying(p ->
        assertThat(p).startsWith("signature check failed"));
  }

  @Test
  void theDriverChecksFromTheDeltasHashAsFromTheDelta() {
    // spark aggregation: the delta stays on its executor; the driver gets its hash, examples and signature
    SignatureCheck check = check(4, Map.of("site-01", sign(KEY_1, "site-01", 4, DELTA, 300),
        "site-02", sign(KEY_1, "site-02", 4, DELTA, 300)));
    byte[] hash = UpdateSignatures.deltaHash(DELTA);

    assertThat(check.problem("site-01", 300, hash)).isEmpty();
    assertThat(check.problem("site-01", 301, hash)).hasValueSatisfying(p ->
        assertThat(p).startsWith("signature check failed: the update of site site-01 is signed by 0x"));
    assertThat(check.problem("site-01", 300, UpdateSignatures.deltaHash(new float[] {0.25f, -0.5f, 100f})))
        .hasValueSatisfying(p -> assertThat(p).startsWith("signature check failed"));
    assertThat(check.problem("site-02", 300, hash)).contains("signature check failed: the update of site site-02 is"
        + " signed by " + KEY_1.address() + ", not by the site's account " + KEY_2.address()
        + " (another key, or an update changed after signing)");
  }

  @Test
  void anUnsignedOrMalformedUpdateIsRejected() {
    SignatureCheck check = check(0, Map.of("site-02", "0xdeadbeef"));

    assertThat(check.problem(new SiteUpdate("site-01", DELTA, 300))).contains("update of site site-01 is not signed");
    assertThat(check.problem(new SiteUpdate("site-02", DELTA, 300))).contains("update of site site-02 has an invalid"
        + " signature: signature must be 0x and 130 hex digits (r, s, v), got '0xdeadbeef'");
  }

  @Test
  void aSiteSignsWhatTheCoordinatorChecks() throws Exception {
    SiteTask task = new SiteTask("site-02", "file:/s2", null, "{}", new float[3], null, 10, 32, 1, 0, 0.001, 7, 3);
    SiteTrainer trainer = (t, conf) -> new SiteResult(t.siteId(), DELTA.clone(), 120, 0.5, 0.1);

    SiteResult r = SiteSigning.trainAndSign(trainer, task, new org.apache.hadoop.conf.Configuration(), "fed-1",
        new SiteKey.Dev(2));

    assertThat(check(3, Map.of("site-02", r.signature())).problem(new SiteUpdate("site-02", r.delta(), r.examples())))
        .isEmpty();
  }

  @Test
  void theLocalStepsAndTheControlDeltaAreSignedWithTheDelta() throws Exception {
    SiteTask task = new SiteTask("site-01", "file:/s1", null, "{}", new float[3], null, 10, 32, 1, 0, 0.001, 7, 3);
    float[] control = {-0.5f, 0.25f, 2f};
    SiteTrainer trainer = (t, conf) -> new SiteResult(t.siteId(), DELTA.clone(), 120, 4, control.clone(), 0.5, 0.1);

    SiteResult r = SiteSigning.trainAndSign(trainer, task, new org.apache.hadoop.conf.Configuration(), "fed-1",
        new SiteKey.Dev(1));
    SignatureCheck check = check(3, Map.of("site-01", r.signature()));

    assertThat(check.problem(new SiteUpdate("site-01", DELTA, 120, 4, control))).isEmpty();
    assertThat(check.problem("site-01", 120, UpdateSignatures.deltaHash(DELTA), 4, control)).isEmpty();
    float[] otherControl = {-0.5f, 0.25f, 3f};
    for (SiteUpdate changed : List.of(new SiteUpdate("site-01", DELTA, 120, 5, control),
        new SiteUpdate("site-01", DELTA, 120, 4, otherControl), new SiteUpdate("site-01", DELTA, 120, 4, null),
        new SiteUpdate("site-01", DELTA, 120))) {
      assertThat(check.problem(changed)).as("%s", changed).hasValueSatisfying(p ->
          assertThat(p).startsWith("signature check failed: the update of site site-01 is signed by 0x"));
    }
  }

  @Test
  void aKeyIsReadFromTheVariableTheFederationFileNames() {
    String hex = org.web3j.utils.Numeric.toHexStringNoPrefixZeroPadded(KEY_1.credentials().getEcKeyPair().getPrivateKey(), 64);
    Map<String, String> env = Map.of("SITE01_KEY", hex);

    assertThat(SiteSigning.load(new SiteKey.Env("SITE01_KEY"), "site-01", env::get).address()).isEqualTo(KEY_1.address());
  }

  @Test
  void aMissingVariableFailsNamingTheSiteAndTheVariable() {
    assertThatThrownBy(() -> SiteSigning.load(new SiteKey.Env("SITE01_KEY"), "site-01", name -> null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("site site-01 cannot load its signing key on its executor (environment variable SITE01_KEY):"
            + " SITE01_KEY is not set");
  }

  @Test
  void aKeystoreOpensWithThePasswordInItsVariable(@TempDir Path dir) throws Exception {
    String file = WalletUtils.generateWalletFile("pw-1", KEY_2.credentials().getEcKeyPair(), dir.toFile(), false);
    SiteKey key = new SiteKey.Keystore(dir.resolve(file).toString(), "SITE02_PW");

    assertThatThrownBy(() -> SiteSigning.load(key, "site-02", Map.of("SITE02_PW", "wrong")::get))
        .hasMessage("site site-02 cannot load its signing key on its executor (keystore " + dir.resolve(file)
            + ", password in SITE02_PW): keystore " + dir.resolve(file) + " cannot be opened with this password");
    assertThat(SiteSigning.load(key, "site-02", Map.of("SITE02_PW", "pw-1")::get).address()).isEqualTo(KEY_2.address());
  }

  @Test
  void exclusionsAreKeptBesideTheJobsCheckpoints(@TempDir Path dir) {
    SiteExclusions exclusions = new SiteExclusions(
        new org.sparkgrid.jobs.store.HadoopCheckpointStore(dir.toUri().toString(), new org.apache.hadoop.conf.Configuration()));

    assertThat(exclusions.excluded("fed-1")).isEmpty();
    assertThat(exclusions.exclude("fed-1", "site-03")).isTrue();
    assertThat(exclusions.exclude("fed-1", "site-01")).isTrue();
    assertThat(exclusions.exclude("fed-1", "site-03")).isFalse();

    assertThat(exclusions.excluded("fed-1")).containsExactly("site-01", "site-03");
    assertThat(dir.resolve("runs/fed-1/excluded-sites.json")).hasContent("[\"site-01\",\"site-03\"]");
  }
}
