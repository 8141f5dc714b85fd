package org.sparkgrid.ingest.auth;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.sparkgrid.core.auth.SignedMessage;

/**
 * One entry of the requester registry: who (a name and the account that signs), what it may do
 * and within which limits.
 *
 * @param name    the requester's namespace: its job ids start with {@code name.}; 1 to 32 characters of
 *                {@code [a-z0-9-]}, starting with a letter or digit
 * @param account the account whose signatures are this requester's: {@code 0x} and 40 lower-case hex digits
 * @param roles   at least one of {@code submit}, {@code cancel-own}, {@code admin}
 * @param limits  what its requests may ask for
 */
public record Requester(String name, String account, Set<Role> roles, Limits limits) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  /**
   * @throws IllegalArgumentException naming the field and the value if the name or account is
   *     malformed or there is no role
   */
  public Requester {
    checkName(name);
    account = SignedMessage.account("account", account);
    Objects.requireNonNull(roles, "roles");
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("roles: must name at least one of submit, cancel-own, admin, got none");
    }
    roles = Set.copyOf(EnumSet.copyOf(roles));
    limits = limits == null ? Limits.NONE : limits;
  }

  /**
   * Checks a requester name.
   *
   * @throws IllegalArgumentException naming the value if it is not 1 to 32 characters of
   *     {@code [a-z0-9-]} starting with a letter or digit
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name: must be 1 to 32 characters of a-z, 0-9 and -, starting with a"
          + " letter or digit, got " + (name == null ? "nothing" : "'" + name + "'"));
    }
    return name;
  }

  /** Whether it has {@code role}. */
  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** The prefix of every job id in its namespace: {@code name.} */
  public String namespace() {
    return name + ".";
  }
}
