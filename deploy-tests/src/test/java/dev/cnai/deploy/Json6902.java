package dev.cnai.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** RFC 6902 JSON Patch operations add, remove, replace and test (RFC 6901 pointers with ~0 and ~1). */
final class Json6902 {
    private Json6902() {
    }

    static ObjectNode apply(ObjectNode doc, ArrayNode ops, String where) {
        ObjectNode out = doc.deepCopy();
        int n = 0;
        for (JsonNode op : ops) {
            n++;
            String kind = op.path("op").asText();
            String path = op.path("path").asText(null);
            if (path == null) {
                throw new Kustomize.KustomizeException(where + ": operation " + n + " has no path");
            }
            List<String> tokens = pointer(path);
            if (tokens.isEmpty()) {
                throw new Kustomize.KustomizeException(where + ": operation " + n + " may not target the root");
            }
            JsonNode parent = resolve(out, tokens.subList(0, tokens.size() - 1), where, path);
            String last = tokens.get(tokens.size() - 1);
            switch (kind) {
                case "add" -> add(parent, last, value(op, where, n), where, path);
                case "replace" -> {
                    requireExisting(parent, last, where, path);
                    remove(parent, last);
                    add(parent, last, value(op, where, n), where, path);
                }
                case "remove" -> {
                    requireExisting(parent, last, where, path);
                    remove(parent, last);
                }
                case "test" -> {
                    requireExisting(parent, last, where, path);
                    JsonNode actual = parent.isArray() ? parent.get(Integer.parseInt(last)) : parent.get(last);
                    if (!actual.equals(value(op, where, n))) {
                        throw new Kustomize.KustomizeException(where + ": test failed at " + path + ": found "
                                + actual + ", expected " + op.get("value"));
                    }
                }
                default -> throw new Kustomize.KustomizeException(where + ": operation '" + kind
                        + "' is not supported (add, remove, replace, test)");
            }
        }
        return out;
    }

    private static JsonNode value(JsonNode op, String where, int n) {
        if (!op.has("value")) {
            throw new Kustomize.KustomizeException(where + ": operation " + n + " needs a value");
        }
        return op.get("value").deepCopy();
    }

    static List<String> pointer(String path) {
        if (!path.startsWith("/")) {
            throw new Kustomize.KustomizeException("JSON pointer must start with '/': " + path);
        }
        List<String> out = new ArrayList<>();
        for (String t : path.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode resolve(JsonNode root, List<String> tokens, String where, String path) {
        JsonNode cur = root;
        for (String t : tokens) {
            JsonNode next;
            if (cur.isArray()) {
                next = index(cur, t, false, where, path) < cur.size() ? cur.get(Integer.parseInt(t)) : null;
            } else {
                next = cur.get(t);
            }
            if (next == null || !(next.isObject() || next.isArray())) {
                throw new Kustomize.KustomizeException(where + ": path " + path + " does not exist (at '" + t + "')");
            }
            cur = next;
        }
        return cur;
    }

    private static int index(JsonNode array, String t, boolean allowEnd, String where, String path) {
        if (allowEnd && t.equals("-")) {
            return array.size();
        }
        try {
            int i = Integer.parseInt(t);
            if (i < 0 || i > array.size() || (!allowEnd && i == array.size())) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw new Kustomize.KustomizeException(where + ": bad array index '" + t + "' in " + path);
        }
    }

    private static void add(JsonNode parent, String last, JsonNode value, String where, String path) {
        if (parent instanceof ArrayNode a) {
            a.insert(index(a, last, true, where, path), value);
        } else {
            ((ObjectNode) parent).set(last, value);
        }
    }

    private static void requireExisting(JsonNode parent, String last, String where, String path) {
        boolean exists = parent.isArray() ? index(parent, last, false, where, path) < parent.size() : parent.has(last);
        if (!exists) {
            throw new Kustomize.KustomizeException(where + ": path " + path + " does not exist");
        }
    }

    private static void remove(JsonNode parent, String last) {
        if (parent instanceof ArrayNode a) {
            a.remove(Integer.parseInt(last));
        } else {
            ((ObjectNode) parent).remove(last);
        }
    }
}
