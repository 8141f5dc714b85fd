package org.sparkgrid.ingest.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.sparkgrid.ingest.Topics;

/**
 * The secured embedded broker's certificates, credentials and ACLs, kept in one directory
 * (mode 0700) and generated there once:
 *
 * <ul>
 *   <li>{@code ca.p12}, {@code ca.crt}: a certificate authority (RSA 2048, ten years), made with the
 *       JDK's {@code keytool}; clients trust {@code ca.crt} (a PEM truststore, no password);
 *   <li>{@code broker.p12}: the broker's key and certificate, signed by that CA, for
 *       {@code localhost} and {@code 127.0.0.1};
 *   <li>{@code secrets.properties} (0600): the keystore password and the SCRAM-SHA-512 passwords of
 *       the broker ({@value #BROKER_USER}, the only super user), the service ({@value #SERVICE_USER})
 *       and the requester ({@value #REQUESTER_USER}), each 32 random bytes;
 *   <li>{@code <user>.properties} (0600): each principal's Kafka client settings.
 * </ul>
 *
 * The SCRAM credentials are added when the broker's storage is formatted, as salted passwords, so no
 * password is ever on a command line; keytool reads its password from the environment.
 */
final class BrokerSecurity {

  static final String BROKER_USER = "sparkgrid-broker";
  static final String SERVICE_USER = "sparkgrid-service";
  static final String REQUESTER_USER = "sparkgrid-requester";
  static final String MECHANISM = "SCRAM-SHA-512";
  static final int SCRAM_ITERATIONS = 8192;
  /** The service's consumer groups all start with this (sparkgrid-service, sparkgrid-service-control). */
  static final String SERVICE_GROUP_PREFIX = "sparkgrid-service";
  /** A requester's consumer groups are named {@code <requester>.<anything>}. */
  static final String GROUP_SEPARATOR = ".";

  private static final String KEYSTORE_PASSWORD = "keystore.password";
  private static final String STOREPASS_ENV = "SPARKGRID_KEYTOOL_STOREPASS";
  private static final long KEYTOOL_TIMEOUT_S = 120;

  private final Path dir;
  private final Map<String, String> secrets;

  private BrokerSecurity(Path dir, Map<String, String> secrets) {
    this.dir = dir;
    this.secrets = new java.util.concurrent.ConcurrentHashMap<>(secrets);
  }

  /**
   * The security material in {@code dir}, generated on first use: the CA and broker certificate,
   * the secrets, and each principal's client properties.
   *
   * @throws IllegalStateException if keytool fails (its output in the message)
   * @throws UncheckedIOException  if the directory cannot be written
   */
  static BrokerSecurity prepare(Path dir) {
    try {
      Secrets.ownerOnlyDir(dir);
      Path secretsFile = dir.resolve("secrets.properties");
      if (!Files.exists(secretsFile)) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(KEYSTORE_PASSWORD, Secrets.randomPassword());
        for (String user : List.of(BROKER_USER, SERVICE_USER, REQUESTER_USER)) {
          s.put(passwordKey(user), Secrets.randomPassword());
        }
        Secrets.writeOwnerOnly(secretsFile, Secrets.properties("the embedded broker's secrets; keep private", s));
      }
      BrokerSecurity security = new BrokerSecurity(dir.toAbsolutePath(), read(secretsFile));
      if (!Files.exists(security.caCertificate()) || !Files.exists(security.brokerKeystore())) {
        security.generateCertificates();
      }
      for (String user : List.of(SERVICE_USER, REQUESTER_USER)) {
        Secrets.writeOwnerOnly(security.clientPropertiesFile(user), Secrets.properties(
            "Kafka client settings of " + user + " for SparkGrid's secured embedded broker", security.clientSettings(user)));
      }
      return security;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the secured broker in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The CA certificate clients trust (PEM). */
  Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  /** The broker's keystore (PKCS12). */
  Path brokerKeystore() {
    return dir.resolve("broker.p12");
  }

  /** A principal's client properties file (0600). */
  Path clientPropertiesFile(String user) {
    return dir.resolve(user + ".properties");
  }

  /** A principal's Kafka client settings: SASL_SSL, SCRAM-SHA-512, its password, the CA. */
  Map<String, String> clientSettings(String user) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("security.protocol", "SASL_SSL");
    s.put("sasl.mechanism", MECHANISM);
    s.put("sasl.jaas.config", scramJaas(user, password(user)));
    s.put("ssl.truststore.type", "PEM");
    s.put("ssl.truststore.location", caCertificate().toString());
    return s;
  }

  /**
   * The listener and security lines of the broker's {@code server.properties}: SASL_SSL with
   * SCRAM-SHA-512 for clients and between brokers, SASL PLAIN for the controller listener (on
   * 127.0.0.1 only; KRaft controllers cannot use SCRAM), StandardAuthorizer, deny by default.
   */
  String serverProperties(int brokerPort, int controllerPort) {
    String brokerPassword = password(BROKER_USER);
    return String.join("\n",
        "listeners=SASL_SSL://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=SASL_SSL://127.0.0.1:" + brokerPort,
        "inter.broker.listener.name=SASL_SSL",
        "listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
        "listener.name.sasl_ssl.sasl.enabled.mechanisms=" + MECHANISM,
        "sasl.mechanism.inter.broker.protocol=" + MECHANISM,
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=" + scramJaas(BROKER_USER, brokerPassword),
        "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
        "sasl.mechanism.controller.protocol=PLAIN",
        "listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
            + " required username=\"" + BROKER_USER + "\" password=\"" + brokerPassword + "\" user_" + BROKER_USER
            + "=\"" + brokerPassword + "\";",
        "ssl.keystore.type=PKCS12",
        "ssl.keystore.location=" + brokerKeystore(),
        "ssl.keystore.password=" + secrets.get(KEYSTORE_PASSWORD),
        "ssl.truststore.type=PEM",
        "ssl.truststore.location=" + caCertificate(),
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "allow.everyone.if.no.acl.found=false",
        "super.users=User:" + BROKER_USER,
        "auto.create.topics.enable=false",
        "");
  }

  /**
   * The {@code --add-scram} arguments of {@code kafka-storage format} for the three principals, as
   * salted passwords (the passwords themselves are never on the command line).
   */
  List<String> formatArgs() {
    List<String> args = new ArrayList<>();
    for (String user : List.of(BROKER_USER, SERVICE_USER, REQUESTER_USER)) {
      byte[] salt = Secrets.randomBytes(32);
      byte[] salted = Secrets.scramSha512SaltedPassword(password(user), salt, SCRAM_ITERATIONS);
      args.add("--add-scram");
      args.add(MECHANISM + "=[name=" + user + ",salt=\"" + Base64.getEncoder().encodeToString(salt)
          + "\",saltedpassword=\"" + Base64.getEncoder().encodeToString(salted) + "\",iterations=" + SCRAM_ITERATIONS + "]");
    }
    return args;
  }

  /**
   * The ACLs of SparkGrid's principals on its topics. The service reads requests and control
   * commands, writes events, dead letters and control replies, creates the four topics, and uses
   * the consumer groups starting with {@value #SERVICE_GROUP_PREFIX}. A requester writes requests
   * and control commands, reads events, and uses the consumer groups starting with its name.
   * Nothing else is allowed to anyone but the broker ({@code allow.everyone.if.no.acl.found=false}).
   */
  static List<AclBinding> acls(Topics topics, String service, String requester) {
    List<AclBinding> acls = new ArrayList<>();
    for (String topic : topics.all()) {
      acls.add(topicAcl(topic, service, AclOperation.DESCRIBE));
      acls.add(topicAcl(topic, service, AclOperation.CREATE));
    }
    acls.add(topicAcl(topics.requests(), service, AclOperation.READ));
    acls.add(topicAcl(topics.control(), service, AclOperation.READ));
    acls.add(topicAcl(topics.events(), service, AclOperation.WRITE));
    acls.add(topicAcl(topics.deadLetters(), service, AclOperation.WRITE));
    acls.add(topicAcl(topics.control(), service, AclOperation.WRITE));
    acls.add(groupAcl(SERVICE_GROUP_PREFIX, service));
    acls.addAll(requesterAcls(topics, requester));
    return acls;
  }

  /**
   * A requester's ACLs: write requests and control commands, read events, and the consumer groups
   * named {@code <requester>.<anything>} (the dot keeps requester {@code a} out of {@code alice.}'s
   * groups, and every requester out of the service's).
   */
  static List<AclBinding> requesterAcls(Topics topics, String requester) {
    List<AclBinding> acls = new ArrayList<>();
    for (String topic : List.of(topics.requests(), topics.control(), topics.events())) {
      acls.add(topicAcl(topic, requester, AclOperation.DESCRIBE));
    }
    acls.add(topicAcl(topics.requests(), requester, AclOperation.WRITE));
    acls.add(topicAcl(topics.control(), requester, AclOperation.WRITE)); // the service checks signatures (issue 11, item 3)
    acls.add(topicAcl(topics.events(), requester, AclOperation.READ));
    acls.add(groupAcl(requester + GROUP_SEPARATOR, requester));
    return acls;
  }

  /**
   * A new requester's password, kept in {@code secrets.properties} beside the others (a known
   * requester keeps its password), and its client properties file written.
   *
   * @throws IllegalArgumentException if the name is not 1 to 64 of {@code [A-Za-z0-9._-]}, or is the
   *     broker's or the service's
   */
  synchronized String addRequesterSecret(String name) throws IOException {
    if (name == null || !name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException("requester name must be 1 to 64 of A-Z a-z 0-9 . _ -, got "
          + (name == null ? null : "'" + name + "'"));
    }
    if (name.equals(BROKER_USER) || name.equals(SERVICE_USER)) {
      throw new IllegalArgumentException("requester name " + name + " is taken by SparkGrid's own principal");
    }
    String password = secrets.get(passwordKey(name));
    if (password == null) {
      password = Secrets.randomPassword();
      secrets.put(passwordKey(name), password);
      Secrets.writeOwnerOnly(dir.resolve("secrets.properties"),
          Secrets.properties("the embedded broker's secrets; keep private", secrets));
    }
    Secrets.writeOwnerOnly(clientPropertiesFile(name), Secrets.properties(
        "Kafka client settings of " + name + " for SparkGrid's secured embedded broker", clientSettings(name)));
    return password;
  }

  private static AclBinding topicAcl(String topic, String user, AclOperation op) {
    return new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
  }

  private static AclBinding groupAcl(String prefix, String user) {
    return new AclBinding(new ResourcePattern(ResourceType.GROUP, prefix, PatternType.PREFIXED),
        new AccessControlEntry("User:" + user, "*", AclOperation.READ, AclPermissionType.ALLOW));
  }

  static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
        + "\" password=\"" + password + "\";";
  }

  private String password(String user) {
    String p = secrets.get(passwordKey(user));
    if (p == null) {
      throw new IllegalStateException("no password for " + user + " in " + dir.resolve("secrets.properties"));
    }
    return p;
  }

  private static String passwordKey(String user) {
    return "password." + user;
  }

  private static Map<String, String> read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    Map<String, String> m = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
    return m;
  }

  /** The CA and the broker's signed certificate, made in a fresh directory and then moved in place. */
  private void generateCertificates() throws IOException {
    Path work = Files.createTempDirectory(dir, "certs");
    try {
      String ca = work.resolve("ca.p12").toString();
      String broker = work.resolve("broker.p12").toString();
      String csr = work.resolve("broker.csr").toString();
      String brokerCrt = work.resolve("broker.crt").toString();
      String caCrt = work.resolve("ca.crt").toString();
      keytool("-genkeypair", "-alias", "ca", "-dname", "CN=SparkGrid embedded Kafka CA", "-keyalg", "RSA",
          "-keysize", "2048", "-validity", "3650", "-ext", "bc:c", "-keystore", ca, "-storetype", "PKCS12");
      keytool("-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "RSA", "-keysize", "2048",
          "-validity", "3650", "-keystore", broker, "-storetype", "PKCS12");
      keytool("-certreq", "-alias", "broker", "-keystore", broker, "-file", csr);
      keytool("-gencert", "-alias", "ca", "-keystore", ca, "-infile", csr, "-outfile", brokerCrt, "-rfc",
          "-validity", "3650", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
          "-ext", "KeyUsage=digitalSignature,keyEncipherment", "-ext", "ExtendedKeyUsage=serverAuth,clientAuth");
      keytool("-exportcert", "-alias", "ca", "-keystore", ca, "-rfc", "-file", caCrt);
      keytool("-importcert", "-alias", "ca", "-file", caCrt, "-keystore", broker, "-noprompt");
      keytool("-importcert", "-alias", "broker", "-file", brokerCrt, "-keystore", broker, "-noprompt");
      for (String f : List.of("ca.p12", "broker.p12")) {
        Files.setPosixFilePermissions(work.resolve(f), Secrets.OWNER_ONLY);
        Files.move(work.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
      Files.move(work.resolve("ca.crt"), caCertificate(), StandardCopyOption.REPLACE_EXISTING); // last: the marker
    } finally {
      try (var files = Files.list(work)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(work);
    }
  }

  /** Runs the JDK's keytool with the keystore password in its environment, never on its command line. */
  private void keytool(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.add("-storepass:env");
    cmd.add(STOREPASS_ENV);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put(STOREPASS_ENV, secrets.get(KEYSTORE_PASSWORD));
    Process p = pb.start();
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish in " + KEYTOOL_TIMEOUT_S + " s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): "
            + new String(out, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool " + args[0], e);
    }
  }
}
