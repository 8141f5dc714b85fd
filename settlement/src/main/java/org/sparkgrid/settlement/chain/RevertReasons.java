package org.sparkgrid.settlement.chain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Type;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Turns revert data into one readable line, from the ABIs of SparkGrid's contracts (their own
 * custom errors and those of OpenZeppelin 5 they inherit), plus Solidity's {@code Error(string)}
 * and {@code Panic(uint256)}; also names a function from its selector.
 *
 * <pre>{@code
 * RevertReasons.decode("0x08c379a0...")   // "Error(not enough)" ... as in Solidity: "not enough"
 * RevertReasons.decode("0xe2517d3f...")   // "AccessControlUnauthorizedAccount(account=0x70..., neededRole=0x...)"
 * }</pre>
 */
public final class RevertReasons {
  private static final String ERROR_STRING = "0x08c379a0";
  private static final String PANIC = "0x4e487b71";
  private static final List<String> CONTRACTS = List.of("SparkGridToken", "RewardDistributor", "JobEscrow");
  private static final Map<String, Entry> ERRORS = new HashMap<>();
  private static final Map<String, String> FUNCTIONS = new HashMap<>();

  static {
    ObjectMapper json = new ObjectMapper();
    for (String contract : CONTRACTS) {
      String resource = "/org/sparkgrid/settlement/contracts/" + contract + ".abi";
      try (InputStream in = RevertReasons.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("the build did not put " + resource + " on the classpath");
        }
        for (JsonNode item : json.readTree(in)) {
          String type = item.path("type").asText();
          if (!type.equals("error") && !type.equals("function")) {
            continue;
          }
          List<String> types = new ArrayList<>();
          List<String> names = new ArrayList<>();
          for (JsonNode input : item.path("inputs")) {
            types.add(input.path("type").asText());
            names.add(input.path("name").asText());
          }
          String signature = item.path("name").asText() + "(" + String.join(",", types) + ")";
          String selector = selector(signature);
          if (type.equals("error")) {
            ERRORS.putIfAbsent(selector, new Entry(item.path("name").asText(), types, names));
          } else {
            FUNCTIONS.putIfAbsent(selector, contract + "." + signature);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private RevertReasons() {}

  private record Entry(String name, List<String> types, List<String> names) {}

  /** The 4-byte selector of a signature such as {@code transfer(address,uint256)}, as 0x and 8 hex digits. */
  public static String selector(String signature) {
    return Numeric.toHexString(Hash.sha3(signature.getBytes(StandardCharsets.UTF_8))).substring(0, 10);
  }

  /**
   * One line for revert data: {@code Error(string)}'s message, {@code Panic(0x11)}, a known custom
   * error with its named arguments, or the raw data when nothing matches.
   *
   * @param data the revert data, 0x and hex digits (null or "0x": a revert without data)
   */
  public static String decode(String data) {
    if (data == null || data.length() < 10) {
      return "reverted without a reason";
    }
    String selector = data.substring(0, 10).toLowerCase(java.util.Locale.ROOT);
    String args = data.substring(10);
    try {
      if (selector.equals(ERROR_STRING)) {
        return decodeArgs(args, List.of("string")).get(0).getValue().toString();
      }
      if (selector.equals(PANIC)) {
        BigInteger code = (BigInteger) decodeArgs(args, List.of("uint256")).get(0).getValue();
        return "Panic(0x" + code.toString(16) + ")";
      }
      Entry e = ERRORS.get(selector);
      if (e == null) {
        return "unknown custom error " + data;
      }
      List<Type> values = e.types().isEmpty() ? List.of() : decodeArgs(args, e.types());
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        Object v = values.get(i).getValue();
        String shown = v instanceof byte[] b ? Numeric.toHexString(b) : String.valueOf(v);
        parts.add((e.names().get(i).isEmpty() ? "" : e.names().get(i) + "=") + shown);
      }
      return e.name() + "(" + String.join(", ", parts) + ")";
    } catch (RuntimeException | ClassNotFoundException badData) {
      return "undecodable revert data " + data;
    }
  }

  /** The contract function a call's data starts with, e.g. {@code RewardDistributor.publish(bytes32,bytes32,uint256)}, or its selector. */
  public static String functionOf(String data) {
    if (data == null || data.length() < 10) {
      return "a call";
    }
    return FUNCTIONS.getOrDefault(data.substring(0, 10).toLowerCase(java.util.Locale.ROOT), data.substring(0, 10));
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static List<Type> decodeArgs(String hex, List<String> types) throws ClassNotFoundException {
    List<TypeReference<Type>> refs = new ArrayList<>();
    for (String t : types) {
      refs.add((TypeReference) TypeReference.makeTypeReference(t));
    }
    return FunctionReturnDecoder.decode(hex, refs);
  }
}
