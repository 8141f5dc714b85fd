package org.sparkgrid.ingest.auth;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a requester may do; {@link #wire()} is its name in the registry file. */
public enum Role {
  /** Submit training requests, with ids in its own namespace, within its limits. */
  SUBMIT("submit"),
  /** Cancel, or exclude a site from, the jobs it submitted. */
  CANCEL_OWN("cancel-own"),
  /** Everything: submit, and cancel or exclude a site from anyone's job. */
  ADMIN("admin");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  /** The name in the registry file and on the command line. */
  public String wire() {
    return wire;
  }

  /**
   * The role with this wire name.
   *
   * @throws IllegalArgumentException naming the value and the known roles if there is none
   */
  public static Role fromWire(String name) {
    for (Role r : values()) {
      if (r.wire.equals(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown role '" + name + "'; known: "
        + Arrays.stream(values()).map(Role::wire).collect(Collectors.joining(", ")));
  }
}
