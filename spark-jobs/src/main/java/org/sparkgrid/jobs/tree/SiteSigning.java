package org.sparkgrid.jobs.tree;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.sparkgrid.federation.sites.FederationFile.SiteKey;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.chain.LocalChain;
import org.sparkgrid.settlement.signing.UpdateSignatures;

/**
 * The site's side of signed updates, run inside the site's Spark task: load the site's key from
 * where its {@code key} in the federation file says (an environment variable or a keystore file
 * on the site's executor, or a development key), train, and sign the update
 * ({@link UpdateSignatures}: job, round, site, SHA-256 of the delta, examples, and where the
 * trainer reports them the local steps and SHA-256 of the control-variate delta). The key is
 * loaded before training, so a site without its key fails at once; it never leaves the executor
 * and never reaches a message. Keys are kept per executor JVM after the first load (a keystore is
 * decrypted once, not every round).
 */
public final class SiteSigning {
  private static final Map<SiteKey, ChainKey> LOADED = new ConcurrentHashMap<>();

  private SiteSigning() {}

  /**
   * Trains with {@code trainer} and signs the result with the site's key.
   *
   * @throws IllegalStateException if the key cannot be loaded, naming the site and where it looked
   * @throws IOException if the trainer cannot read the site's data
   */
  static SiteResult trainAndSign(SiteTrainer trainer, SiteTask task, Configuration conf, String jobId, SiteKey key)
      throws IOException {
    return trainSignAndHash(trainer, task, conf, jobId, key).result();
  }

  /**
   * A signed result and the SHA-256 of its delta ({@link UpdateSignatures#deltaHash}), which went
   * into the signed digest: what the coordinator needs to check the signature without the delta.
   */
  record Signed(SiteResult result, byte[] deltaHash) {}

  /** As {@link #trainAndSign}, also giving the delta's hash (computed once, for the signature). */
  static Signed trainSignAndHash(SiteTrainer trainer, SiteTask task, Configuration conf, String jobId, SiteKey key)
      throws IOException {
    ChainKey signer = load(key, task.siteId(), System::getenv);
    SiteResult r = trainer.train(task, conf);
    byte[] hash = UpdateSignatures.deltaHash(r.delta());
    return new Signed(r.withSignature(UpdateSignatures.sign(signer, digest(jobId, task.round(), r.siteId(), hash,
        r.examples(), r.localSteps(), r.controlDelta()))), hash);
  }

  /** The digest the site signs and the coordinator checks: {@link UpdateSignatures#digest}. */
  static byte[] digest(String jobId, int round, String siteId, float[] delta, long examples) {
    return UpdateSignatures.digest(jobId, round, siteId, delta, examples);
  }

  /** The same digest from the delta's hash ({@link UpdateSignatures#digestOfHash}). */
  static byte[] digest(String jobId, int round, String siteId, byte[] deltaHash, long examples) {
    return UpdateSignatures.digestOfHash(jobId, round, siteId, deltaHash, examples);
  }

  /**
   * The digest of an update with its local steps and control-variate delta (steps 0 and no control
   * delta where the trainer reports neither): {@link UpdateSignatures}' layout.
   */
  static byte[] digest(String jobId, int round, String siteId, byte[] deltaHash, long examples, long localSteps,
      float[] controlDelta) {
    return UpdateSignatures.digestOfHash(jobId, round, siteId, deltaHash, examples, localSteps, controlDelta);
  }

  /**
   * The site's key as {@code key} says where to find it; {@code env} looks up environment variables.
   *
   * @throws IllegalStateException if the variable is unset or malformed, or the keystore is missing
   *     or its password does not open it; the message names the site, never a key or a password
   */
  static ChainKey load(SiteKey key, String siteId, UnaryOperator<String> env) {
    ChainKey cached = LOADED.get(key);
    if (cached != null) {
      return cached;
    }
    ChainKey loaded;
    try {
      if (key instanceof SiteKey.Dev d) {
        loaded = LocalChain.derive(LocalChain.DEV_MNEMONIC, d.index());
      } else if (key instanceof SiteKey.Env e) {
        loaded = ChainKey.fromEnvironment(e.variable(), env);
      } else {
        SiteKey.Keystore k = (SiteKey.Keystore) key;
        String password = env.apply(k.passwordEnv());
        if (password == null) {
          throw new IllegalStateException("keystore " + k.path() + ": its password variable " + k.passwordEnv()
              + " is not set");
        }
        loaded = ChainKey.fromKeystore(Path.of(k.path()), password.toCharArray());
      }
    } catch (IOException | RuntimeException e) {
      // the cause is left out: a keystore's cipher error says nothing the message does not
      throw new IllegalStateException("site " + siteId + " cannot load its signing key on its executor ("
          + describe(key) + "): " + e.getMessage());
    }
    // environment keys are not kept: the variable is the place of record, and is cheap to read
    if (!(key instanceof SiteKey.Env)) {
      LOADED.put(key, loaded);
    }
    return loaded;
  }

  /** Where a key comes from, for messages: never the key. */
  static String describe(SiteKey key) {
    if (key instanceof SiteKey.Dev d) {
      return "development key " + d.index() + " of the public test mnemonic";
    }
    if (key instanceof SiteKey.Env e) {
      return "environment variable " + e.variable();
    }
    SiteKey.Keystore k = (SiteKey.Keystore) key;
    return "keystore " + k.path() + ", password in " + k.passwordEnv();
  }
}
