package org.sparkgrid.core.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/** How values are shown in refusal messages. */
final class Json {

  /** Longest value shown in a message; longer ones are cut and end with "...". */
  static final int MAX_SHOWN = 100;

  private Json() {}

  /** A JSON value as JSON text, cut to {@value #MAX_SHOWN} characters: {@code "five"}, {@code 5}, {@code [1,2]}. */
  static String render(JsonNode node) {
    String s = node.isMissingNode() ? "nothing" : node.toString();
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }

  /** A JSON value as text for {@link InvalidRequestException#value()}: a string's content, else JSON text. */
  static String text(JsonNode node) {
    return node.isTextual() ? node.textValue() : node.toString();
  }

  /** A string as a quoted JSON string, cut like {@link #render}. */
  static String quote(String s) {
    return render(TextNode.valueOf(s));
  }

  /** A double without a needless ".0": {@code 0}, {@code 0.001}, {@code 1.0E-7}. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }
}
