package org.sparkgrid.federation.sites;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Objects;
import java.util.regex.Pattern;
import org.sparkgrid.core.request.FederationSpec;

/**
 * A federation the operator registered ({@code bin/sparkgrid federation add}): its sites, their
 * accounts, data and hosts, and its allowlist ({@link FederationFile}), plus what a request run in it
 * may pay. A tree request names it in {@code federation.name} and may only narrow it
 * ({@link FederationGrant#narrow}).
 *
 * <p>Its file is a federation file with two more fields, amounts in the reward token's smallest
 * unit, each a string of digits (or a whole JSON number) that fits in 256 bits:
 * <pre>{@code
 * {"sites": [{"id": "site-01", "data": "hdfs://site01/fmnist/train", "account": "0x5aAe..."}, ...],
 *  "allowlist": [],
 *  "rewardPoolCapPerRound": "100000000000000000000",
 *  "tokenBudget": "3000000000000000000000"}
 *
 * RegisteredFederation f = RegisteredFederation.parse("fmnist-10", Files.readAllBytes(file), file.toString());
 * }</pre>
 *
 * @param name                  the name requests use ({@link FederationSpec#isValidName})
 * @param federation            the sites and the allowlist
 * @param rewardPoolCapPerRound the largest {@code reward.poolPerRound} a request may ask for
 * @param tokenBudget           the most one request may pay in all: {@code poolPerRound × rounds} at most this
 */
public record RegisteredFederation(String name, FederationFile federation, BigInteger rewardPoolCapPerRound,
    BigInteger tokenBudget) {

  /** The field of the cap per round. */
  public static final String CAP = "rewardPoolCapPerRound";
  /** The field of the budget. */
  public static final String BUDGET = "tokenBudget";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final BigInteger UINT256_MAX = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE);
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,78}");

  /**
   * @throws IllegalArgumentException naming the field, if the name is not a valid federation name or
   *     an amount is negative or over 256 bits
   */
  public RegisteredFederation {
    if (!FederationSpec.isValidName(name)) {
      throw new IllegalArgumentException("name: '" + name + "' must be 1-64 of [A-Za-z0-9._-], starting with a"
          + " letter or digit");
    }
    Objects.requireNonNull(federation, "federation");
    checkAmount(CAP, rewardPoolCapPerRound);
    checkAmount(BUDGET, tokenBudget);
  }

  /**
   * Parses a registered federation's file: a {@link FederationFile} plus {@value #CAP} and {@value #BUDGET}.
   *
   * @param what names the file in messages
   * @throws IllegalArgumentException naming the field (e.g. {@code tokenBudget}, {@code sites[2].account}) and the value
   */
  public static RegisteredFederation parse(String name, byte[] json, String what) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + ": not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(what + ": must be a JSON object with \"sites\", \"" + CAP + "\" and \""
          + BUDGET + "\"");
    }
    ObjectNode rest = ((ObjectNode) root).deepCopy();
    BigInteger cap = amount(rest.remove(CAP), what, CAP);
    BigInteger budget = amount(rest.remove(BUDGET), what, BUDGET);
    FederationFile federation = FederationFile.parse(rest.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        what);
    try {
      return new RegisteredFederation(name, federation, cap, budget);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage());
    }
  }

  /** The file as JSON, as {@link #parse} reads it (amounts as strings of digits). */
  public byte[] toJson() {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(federation.toJson());
      root.put(CAP, rewardPoolCapPerRound.toString());
      root.put(BUDGET, tokenBudget.toString());
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An amount: a string of digits or a whole non-negative JSON number, at most 2^256 - 1. */
  private static BigInteger amount(JsonNode n, String what, String field) {
    if (n == null || n.isNull()) {
      throw new IllegalArgumentException(what + ": " + field + ": is required (token units, a string of digits)");
    }
    BigInteger v = null;
    if (n.isTextual() && DIGITS.matcher(n.textValue()).matches()) {
      v = new BigInteger(n.textValue());
    } else if (n.isIntegralNumber()) {
      v = n.bigIntegerValue();
    }
    if (v == null || v.signum() < 0 || v.compareTo(UINT256_MAX) > 0) {
      throw new IllegalArgumentException(what + ": " + field + ": must be a non-negative whole number of token"
          + " units that fits in 256 bits (a string of digits), got " + n);
    }
    return v;
  }

  private static void checkAmount(String field, BigInteger v) {
    if (v == null || v.signum() < 0 || v.compareTo(UINT256_MAX) > 0) {
      throw new IllegalArgumentException(field + ": must be a non-negative whole number of token units that fits in"
          + " 256 bits, got " + v);
    }
  }
}
