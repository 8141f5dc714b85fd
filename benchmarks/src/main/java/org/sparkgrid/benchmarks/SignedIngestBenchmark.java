package org.sparkgrid.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.sparkgrid.core.auth.MessageSigner;
import org.sparkgrid.core.auth.SignedMessage;
import org.sparkgrid.ingest.SignatureHeaders;
import org.sparkgrid.ingest.RequestConsumer;
import org.sparkgrid.ingest.Topics;
import org.sparkgrid.ingest.bench.ValidationThroughput;
import org.sparkgrid.ingest.events.EventPublisher;
import org.sparkgrid.ingest.events.KafkaEventPublisher;
import org.sparkgrid.ingest.jobs.JdbcJobStore;
import org.sparkgrid.ingest.jobs.JobFilter;
import org.sparkgrid.ingest.jobs.JobState;
import org.sparkgrid.ingest.jobs.JobStore;
import org.sparkgrid.ingest.kafka.EmbeddedKafka;
import org.sparkgrid.ingest.kafka.KafkaClients;
import org.sparkgrid.settlement.chain.ChainKey;
import org.sparkgrid.settlement.signing.PersonalSignatures;

/**
 * End-to-end ingest throughput with and without signature verification: N request records already on the requests topic of an embedded
 * Kafka broker (a child JVM), read by the real {@link RequestConsumer} into a real H2 job store
 * (the file URL the service uses, {@link JdbcJobStore#h2Url}) with {@code queued} events on the
 * events topic and refusals on the dead-letter topic, as {@code SparkGridService} wires it. Timed
 * from {@code start()} until the consumer group's committed offset reaches the end of the topic
 * (the consumer commits a record only after the store holds it or the dead-letter topic
 * acknowledged it); then the QUEUED jobs and dead letters are counted and must match the mix.
 * Next to it, measured in the same run: a bare KafkaConsumer that only counts the same records
 * (Kafka's own read rate) and {@link ValidationThroughput}'s parse+validate rate on one thread.
 *
 * <p>The mix is {@link ValidationThroughput#mix}: per 20 records, 10 compute requests, 6 with a
 * sweep, 4 refused (not JSON, bad UTF-8, unknown schema, a field out of range); ids distinct.
 *
 * <p>The signature check, in the same run: the same mix (ids prefixed {@code s-}) signed by one
 * requester key ({@code SignedMessage.Kind.REQUEST}, the four headers), on its own topics and into its
 * own job store, through the same consumer with the service's {@code Authorizer} (signatures checked
 * on the consumer's verify threads, each poll's nonces and verdicts stored with its jobs in one
 * transaction), and again with {@link SignatureCheckInterceptor} in its poll instead (no nonce, no audit):
 * every record's signer recovered ({@code PersonalSignatures.RECOVERY}) and compared, once on the
 * consumer's thread and once on a pool of {@code --verify-threads} threads (default: the cores; 1
 * skips it). Beside them, recover + compare alone on one thread.
 *
 * <pre>benchmarks/run validation [--records 20000] [--jdbc-url URL] [--verify-threads N]</pre>
 *
 * <p>{@code --jdbc-url} replaces the service's H2 URL, e.g. to see what H2's default write delay
 * would give; {@code {dir}} in it stands for a temporary directory, one per run.
 */
public final class SignedIngestBenchmark {

  private SignedIngestBenchmark() {}

  public static void main(String[] args) {
    Bench.runThenExit(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    String loadAtStart = IngestBench.loadAverage();
    int n = Integer.parseInt(Bench.arg(args, "--records", "20000"));
    int verifyThreads = Bench.intArg(args, "--verify-threads", Runtime.getRuntime().availableProcessors());
    List<byte[][]> records = ValidationThroughput.mix(n);
    long refused = java.util.stream.IntStream.range(0, n).filter(i -> i % 20 < 4).count();
    long valid = n - refused;
    Path dir = Files.createTempDirectory("sparkgrid-ingest");
    String maxPoll = Bench.arg(args, "--max-poll-records", "500"); // Kafka's default
    String urlTemplate = Bench.arg(args, "--jdbc-url", null);
    System.out.printf(Locale.ROOT, "Ingest throughput benchmark: %,d records (%,d valid, %,d refused), 1 partition, "
        + "embedded Kafka (child JVM), job store %s, %d cores%n", n, valid, refused,
        urlTemplate == null ? "(H2, the service's URL: " + JdbcJobStore.h2Url(dir.resolve("jobs")).replaceAll("^[^;]*;", "")
            + "; a fresh one per run)" : urlTemplate, Runtime.getRuntime().availableProcessors());
    ChainKey requester = ChainKey.ofPrivateKey(REQUESTER_KEY);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"))) {
      String bootstrap = kafka.bootstrapServers();
      Topics plain = Topics.DEFAULT;
      Topics signed = Topics.DEFAULT.withPrefix("signed.");
      Topics signedPool = Topics.DEFAULT.withPrefix("signed-pool.");
      Topics warm = Topics.DEFAULT.withPrefix("warm-up.");
      TopicPartition requests = new TopicPartition(plain.requests(), 0);
      try (Admin admin = KafkaClients.plain(bootstrap).admin("bench-admin")) {
        for (Topics t : List.of(plain, signed, signedPool, warm)) {
          t.createMissing(admin, 1, (short) 1);
        }
        IngestBench.produce(bootstrap, plain.requests(), records, null);
        IngestBench.produce(bootstrap, warm.requests(), records, null);
        long t0 = System.nanoTime();
        List<byte[][]> signedRecords = relabel(records, REQUESTER + ".");
        List<Headers> signatures = sign(PersonalSignatures.signer(requester), signedRecords);
        System.out.printf(Locale.ROOT, "(signed %,d records in %.1f s, not timed below)%n", n, (System.nanoTime() - t0) / 1e9);
        IngestBench.produce(bootstrap, signed.requests(), signedRecords, signatures);
        if (verifyThreads > 1) {
          IngestBench.produce(bootstrap, signedPool.requests(), signedRecords, signatures);
        }

        // baseline: Kafka's own read rate, a consumer that only counts (once to warm up, once timed)
        IngestBench.countAll(bootstrap, requests, n);
        long bareNanos = IngestBench.countAll(bootstrap, requests, n);

        // the micro figures: parse+validate on one thread, no Kafka, no store; signature recovery on one thread
        double micro = ValidationThroughput.routeRate(records, 2.0);
        double recoverRate = recoverRate(signedRecords.subList(0, Math.min(n, 2_000)),
            signatures.subList(0, Math.min(n, 2_000)), requester.address());
        double verifyRate = verifyRate(signedRecords.subList(0, Math.min(n, 2_000)),
            signatures.subList(0, Math.min(n, 2_000)), requester);

        Map<String, Object> check = Map.of("interceptor.classes", SignatureCheckInterceptor.class.getName(),
            SignatureCheckInterceptor.ACCOUNT, requester.address());
        // an untimed warm-up of the same path, so that the first timed run does not pay the JIT alone
        ingest(bootstrap, admin, warm, url(urlTemplate, dir, "warm-up"), maxPoll, Map.of(), n, valid, refused,
            store -> null);
        long plainNanos = ingest(bootstrap, admin, plain, url(urlTemplate, dir, "plain"), maxPoll, Map.of(), n, valid, refused,
            store -> null);
        // the service's own check: the real Authorizer (registry look-up, recovery on the consumer's
        // verify threads, clock window) as ServiceAuth wires it; each poll's nonces and verdicts are
        // stored in the transaction of its jobs (JobStore.storePoll)
        long signedNanos = ingest(bootstrap, admin, signed, url(urlTemplate, dir, "signed"), maxPoll, Map.of(), n, valid,
            refused, store -> authorizer(store, requester));
        long poolNanos = -1;
        if (verifyThreads > 1) {
          SignatureCheckInterceptor.reset();
          Map<String, Object> pool = new java.util.HashMap<>(check);
          pool.put(SignatureCheckInterceptor.THREADS, verifyThreads);
          poolNanos = ingest(bootstrap, admin, signedPool, url(urlTemplate, dir, "signed-pool"), maxPoll, pool, n, valid,
              refused, store -> null);
          checkVerified(n);
        }

        double plainRate = n / (plainNanos / 1e9);
        double signedRate = n / (signedNanos / 1e9);
        System.out.println();
        System.out.printf(Locale.ROOT, "%-72s %10s %13s%n", "", "total (s)", "records/s");
        System.out.printf(Locale.ROOT, "%-72s %10.2f %,13.0f%n",
            "bare KafkaConsumer, counting only (baseline: Kafka's read rate)", bareNanos / 1e9, n / (bareNanos / 1e9));
        System.out.printf(Locale.ROOT, "%-72s %10s %,13.0f%n",
            "RequestRouter.route on 1 thread, no Kafka, no store (micro)", "", micro);
        System.out.printf(Locale.ROOT, "%-72s %10s %,13.0f%n",
            "signature recovery + compare on 1 thread, no Kafka, no store (micro)", "", recoverRate);
        System.out.printf(Locale.ROOT, "%-72s %10s %,13.0f%n",
            "ECDSA verify against the signer's known public key, 1 thread (micro)", "", verifyRate);
        System.out.printf(Locale.ROOT, "%-72s %10.2f %,13.0f%n",
            "RequestConsumer: topic to QUEUED job or dead letter, committed", plainNanos / 1e9, plainRate);
        System.out.printf(Locale.ROOT, "%-72s %10.2f %,13.0f%n",
            "the same, signed, through the service's Authorizer (recover, registry, nonce, audit)", signedNanos / 1e9,
            signedRate);
        if (poolNanos > 0) {
          System.out.printf(Locale.ROOT, "%-72s %10.2f %,13.0f%n",
              "signed, recover + compare only (interceptor, no nonce) on " + verifyThreads + " threads", poolNanos / 1e9,
              n / (poolNanos / 1e9));
        }
        System.out.printf(Locale.ROOT, "queued %,d jobs, dead-lettered %,d per run; unsigned %.2fx of the bare read time;"
            + " target >= 5,000 records/s%n", valid, refused, plainNanos / (double) bareNanos);
        System.out.printf(Locale.ROOT, "with verification: %.2fx of the unsigned rate (the consumer's %d verify threads)%s;"
            + " target >= 4,500 records/s (<= 15%% slower); load average %s at the start, %s at the end%n",
            signedRate / plainRate, Math.min(RequestConsumer.MAX_DEFAULT_VERIFY_THREADS,
                Runtime.getRuntime().availableProcessors()),
            poolNanos > 0 ? String.format(Locale.ROOT, ", %.2fx (%d threads)", n / (poolNanos / 1e9) / plainRate,
                verifyThreads) : "", loadAtStart, IngestBench.loadAverage());
      }
    } finally {
      Bench.deleteQuietly(dir);
    }
  }

  /** A development key (anvil's account 2): the benchmark's requester. */
  private static final String REQUESTER_KEY = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

  /** The job store URL of one run: the user's with {dir} standing for that run's directory, else the service's H2 URL. */
  private static String url(String template, Path dir, String run) {
    Path runDir = dir.resolve(run);
    return template == null ? JdbcJobStore.h2Url(runDir.resolve("jobs"))
        : template.replace("{dir}", runDir.toAbsolutePath().toString());
  }

  /**
   * Times the real RequestConsumer from start() until it committed all {@code n} records of
   * {@code topics}, then checks the counts (queued jobs, dead letters, events; with an authorizer,
   * one audited verdict per record) against the mix.
   */
  private static long ingest(String bootstrap, Admin admin, Topics topics, String url, String maxPoll,
      Map<String, Object> kafkaProps, int n, long valid, long refused,
      java.util.function.Function<JobStore, org.sparkgrid.ingest.auth.Authorizer> authorizer) throws Exception {
    TopicPartition requests = new TopicPartition(topics.requests(), 0);
    long nanos;
    long queued;
    org.sparkgrid.ingest.auth.Authorizer auth;
    try (JobStore store = JdbcJobStore.open(url);
        EventPublisher events = KafkaEventPublisher.create(bootstrap, topics.events(), store)) {
      RequestConsumer.Builder b = RequestConsumer.builder(bootstrap, store, events).topics(topics)
          .groupId(IngestBench.GROUP).kafkaProperty("max.poll.records", Integer.parseInt(maxPoll));
      kafkaProps.forEach(b::kafkaProperty);
      auth = authorizer.apply(store);
      if (auth != null) {
        b.authorizer(auth);
      }
      try (RequestConsumer consumer = b.build()) {
        long t0 = System.nanoTime();
        consumer.start();
        IngestBench.awaitCommitted(admin, requests, n);
        nanos = System.nanoTime() - t0;
      }
      events.flush();
      queued = store.list(JobFilter.in(JobState.QUEUED).limit(100_000)).size();
      if (auth != null) {
        List<org.sparkgrid.ingest.jobs.AuditRecord> audit = store.audit(null, 2 * n);
        long accepted = audit.stream().filter(org.sparkgrid.ingest.jobs.AuditRecord::accepted).count();
        if (audit.size() != n || accepted != valid) {
          throw new IllegalStateException(String.format(Locale.ROOT, "audit on %s: %d verdicts (expected %d), %d accepted"
              + " (expected %d)", topics.requests(), audit.size(), n, accepted, valid));
        }
      }
    }
    long deadLettered = IngestBench.endOffset(bootstrap, new TopicPartition(topics.deadLetters(), 0));
    long published = IngestBench.endOffset(bootstrap, new TopicPartition(topics.events(), 0));
    if (queued != valid || deadLettered != refused || published != valid) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "counts on %s do not match the mix: %d queued (expected %d), %d dead letters (expected %d), %d events (expected %d)",
          topics.requests(), queued, valid, deadLettered, refused, published, valid));
    }
    return nanos;
  }

  /** The requester whose namespace the signed records' ids are in. */
  private static final String REQUESTER = "s";

  /** The service's Authorizer with one registered requester (submit, no limits), nonces in {@code store}. */
  private static org.sparkgrid.ingest.auth.Authorizer authorizer(JobStore store, ChainKey requester) {
    org.sparkgrid.ingest.auth.RequesterRegistry registry = new org.sparkgrid.ingest.auth.RequesterRegistry(List.of(
        new org.sparkgrid.ingest.auth.Requester(REQUESTER, requester.address().toLowerCase(Locale.ROOT),
            java.util.Set.of(org.sparkgrid.ingest.auth.Role.SUBMIT), org.sparkgrid.ingest.auth.Limits.NONE)));
    Duration skew = Duration.ofMinutes(30); // the records are signed before the timed part
    return new org.sparkgrid.ingest.auth.Authorizer(() -> registry, PersonalSignatures.RECOVERY,
        java.time.Clock.systemUTC(), skew, org.sparkgrid.ingest.auth.ReplayGuard.inStore(store, skew.multipliedBy(2)), true);
  }

  private static void checkVerified(int n) {
    long ok = SignatureCheckInterceptor.VERIFIED.get();
    long bad = SignatureCheckInterceptor.REFUSED.get();
    if (ok < n || bad != 0) {
      throw new IllegalStateException("signature check: " + ok + " verified, " + bad + " refused of " + n + " records");
    }
  }

  /** The records with {@code prefix} before each id, in the key and in the JSON (so runs never share an id). */
  private static List<byte[][]> relabel(List<byte[][]> records, String prefix) {
    List<byte[][]> out = new java.util.ArrayList<>(records.size());
    byte[] from = "\"bench-".getBytes(StandardCharsets.UTF_8);
    for (byte[][] r : records) {
      byte[] key = (prefix + new String(r[0], StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
      out.add(new byte[][] {key, replaceFirst(r[1], from, ("\"" + prefix + "bench-").getBytes(StandardCharsets.UTF_8))});
    }
    return out;
  }

  private static byte[] replaceFirst(byte[] b, byte[] from, byte[] to) {
    for (int i = 0; i + from.length <= b.length; i++) {
      if (java.util.Arrays.equals(b, i, i + from.length, from, 0, from.length)) {
        byte[] out = new byte[b.length - from.length + to.length];
        System.arraycopy(b, 0, out, 0, i);
        System.arraycopy(to, 0, out, i, to.length);
        System.arraycopy(b, i + from.length, out, i + to.length, b.length - i - from.length);
        return out;
      }
    }
    return b; // bad UTF-8: no id to relabel
  }

  /** Each record's signature headers, signed as requests (on all cores; setup, not timed). */
  private static List<Headers> sign(MessageSigner signer, List<byte[][]> records) {
    long now = System.currentTimeMillis();
    return records.parallelStream().map(r -> {
      Headers h = new RecordHeaders();
      SignatureHeaders.sign(signer, SignedMessage.Kind.REQUEST, new String(r[0], StandardCharsets.UTF_8), r[1], now)
          .addTo(h);
      return h;
    }).collect(java.util.stream.Collectors.toList());
  }

  /**
   * Records/s of a plain ECDSA verification (BouncyCastle's, the library under Web3j) of the same
   * signatures against the signer's public key, one decoded point reused: what a registry that kept
   * each requester's public key (learned at its first recovery) would pay instead of a recovery.
   */
  private static double verifyRate(List<byte[][]> records, List<Headers> signatures, ChainKey signer) {
    org.bouncycastle.asn1.x9.X9ECParameters curve = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256k1");
    org.bouncycastle.crypto.params.ECDomainParameters domain =
        new org.bouncycastle.crypto.params.ECDomainParameters(curve.getCurve(), curve.getG(), curve.getN(), curve.getH());
    byte[] xy = org.web3j.utils.Numeric.toBytesPadded(signer.credentials().getEcKeyPair().getPublicKey(), 64);
    byte[] encoded = new byte[65];
    encoded[0] = 4;
    System.arraycopy(xy, 0, encoded, 1, 64);
    org.bouncycastle.crypto.params.ECPublicKeyParameters key = new org.bouncycastle.crypto.params.ECPublicKeyParameters(
        curve.getCurve().decodePoint(encoded).normalize(), domain);
    Runnable all = () -> {
      for (int i = 0; i < records.size(); i++) {
        SignatureHeaders h = SignatureHeaders.read(signatures.get(i)).orElseThrow();
        byte[] text = SignedMessage.message(SignedMessage.Kind.REQUEST, new String(records.get(i)[0], StandardCharsets.UTF_8),
            h.timestamp(), h.nonce(), records.get(i)[1]);
        byte[] rsv = org.web3j.utils.Numeric.hexStringToByteArray(h.signature());
        org.bouncycastle.crypto.signers.ECDSASigner v = new org.bouncycastle.crypto.signers.ECDSASigner();
        v.init(false, key);
        if (!v.verifySignature(org.web3j.crypto.Sign.getEthereumMessageHash(text),
            new java.math.BigInteger(1, java.util.Arrays.copyOfRange(rsv, 0, 32)),
            new java.math.BigInteger(1, java.util.Arrays.copyOfRange(rsv, 32, 64)))) {
          throw new IllegalStateException("record " + i + " does not verify");
        }
      }
    };
    all.run();
    long t0 = System.nanoTime();
    all.run();
    return records.size() / ((System.nanoTime() - t0) / 1e9);
  }

  /** Records/s of recover + compare on one thread, after a warm-up over the same records. */
  private static double recoverRate(List<byte[][]> records, List<Headers> signatures, String account) {
    Runnable all = () -> {
      for (int i = 0; i < records.size(); i++) {
        String who = SignatureHeaders.read(signatures.get(i)).orElseThrow().recover(PersonalSignatures.RECOVERY,
            SignedMessage.Kind.REQUEST, new String(records.get(i)[0], StandardCharsets.UTF_8), records.get(i)[1]);
        if (!who.equals(account)) {
          throw new IllegalStateException("record " + i + " recovers " + who);
        }
      }
    };
    all.run();
    long t0 = System.nanoTime();
    all.run();
    return records.size() / ((System.nanoTime() - t0) / 1e9);
  }
}
