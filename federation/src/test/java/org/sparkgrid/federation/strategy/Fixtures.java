package org.sparkgrid.federation.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Parameters each type needs at the least, for tests that build every type: from its declaration. */
final class Fixtures {

  private Fixtures() {}

  /** Name-value pairs: the required parameters of the type at their declared examples, or none. */
  static Object[] requiredParams(String type) {
    List<Object> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : Strategies.definition(type).example().entrySet()) {
      out.add(e.getKey());
      out.add(e.getValue());
    }
    return out.toArray();
  }
}
