package org.yizhan.testing.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Inputs for the fuzzers: seeds from a {@link Corpus} changed the ways parsers trip (bytes flipped, cut, spliced,
 * JSON punctuation and hostile numbers dropped in, values swapped for other types deep in the tree), so most
 * inputs get past the first check and reach the field validation behind it. Generation is plain random, without
 * shrinking: a failure prints its input and jqwik's seed repeats it.
 */
public final class Mutations {

    /** Tokens that parsers mishandle: JSON punctuation, edge numbers, escapes, control and wide characters. */
    private static final String[] TOKENS = {
        "{", "}", "[", "]", "\"", ":", ",", "\\", "\\u0000", "\\ud800", "null", "true", "false", "-", "-0", "0",
        "1e999", "-1e999", "1.5", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "2147483648", "NaN", "Infinity", "\u0000", "\n", "\r\n", "\t", "\uFEFF", "\u00e9", "\u9a7f", "\uD83D\uDEB2",
        "\"v\":1", "\"v\":2", "\"ts\":0", "[[[[[[[[[[[[[[[[", "]]]]]]]]", "{\"a\":{\"a\":{\"a\":{}}}}",
        ",,", "\"\"", "=", ";", "%00", "%", "'", "YZ:", "m-", "st-",
    };

    private Mutations() {
    }

    /** A seed of the corpus changed by one to four edits, bytes and structure alike. */
    public static Arbitrary<byte[]> of(Corpus corpus) {
        return Arbitraries.randomValue(random -> mutate(corpus, random));
    }

    /** As {@link #of}, read as UTF-8 text (malformed bytes become U+FFFD, as a reader of text would see them). */
    public static Arbitrary<String> textOf(Corpus corpus) {
        return of(corpus).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /** One mutated input. */
    public static byte[] mutate(Corpus corpus, Random random) {
        byte[] seed = corpus.pick(random);
        if (random.nextInt(3) == 0) {
            JsonObject tree = tree(seed);
            if (tree != null) {
                int edits = 1 + random.nextInt(3);
                for (int i = 0; i < edits; i++) {
                    mutateTree(tree, random, 0);
                }
                return tree.encode().getBytes(StandardCharsets.UTF_8);
            }
        }
        byte[] out = seed;
        int edits = 1 + random.nextInt(4);
        for (int i = 0; i < edits; i++) {
            out = mutateBytes(out, corpus, random);
        }
        return out;
    }

    private static JsonObject tree(byte[] seed) {
        try {
            return new JsonObject(new String(seed, StandardCharsets.UTF_8));
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    private static byte[] mutateBytes(byte[] in, Corpus corpus, Random random) {
        if (in.length == 0) {
            return token(random);
        }
        int at = random.nextInt(in.length);
        return switch (random.nextInt(8)) {
            case 0 -> { // flip a bit
                byte[] out = in.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                yield out;
            }
            case 1 -> { // any byte
                byte[] out = in.clone();
                out[at] = (byte) random.nextInt(256);
                yield out;
            }
            case 2 -> cut(in, at, Math.min(in.length, at + 1 + random.nextInt(16)));
            case 3 -> insert(in, at, token(random));
            case 4 -> Arrays.copyOf(in, at); // truncated
            case 5 -> { // a run of the input repeated
                int end = Math.min(in.length, at + 1 + random.nextInt(32));
                yield insert(in, at, Arrays.copyOfRange(in, at, end));
            }
            case 6 -> { // spliced with another seed
                byte[] other = corpus.pick(random);
                int from = other.length == 0 ? 0 : random.nextInt(other.length);
                byte[] out = Arrays.copyOf(in, at + other.length - from);
                System.arraycopy(other, from, out, at, other.length - from);
                yield out;
            }
            default -> { // a digit changed, keeping the shape of a number
                byte[] out = in.clone();
                for (int i = at; i < out.length; i++) {
                    if (out[i] >= '0' && out[i] <= '9') {
                        out[i] = (byte) ('0' + random.nextInt(10));
                        break;
                    }
                }
                yield out;
            }
        };
    }

    private static byte[] token(Random random) {
        return TOKENS[random.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] cut(byte[] in, int from, int to) {
        byte[] out = new byte[in.length - (to - from)];
        System.arraycopy(in, 0, out, 0, from);
        System.arraycopy(in, to, out, from, in.length - to);
        return out;
    }

    private static byte[] insert(byte[] in, int at, byte[] what) {
        byte[] out = new byte[in.length + what.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(in, at, out, at + what.length, in.length - at);
        return out;
    }

    /** Replaces, removes or adds one value somewhere in the tree. */
    private static void mutateTree(JsonObject o, Random random, int depth) {
        List<String> keys = new ArrayList<>(o.fieldNames());
        if (!keys.isEmpty() && random.nextInt(4) > 0) {
            String key = keys.get(random.nextInt(keys.size()));
            Object v = o.getValue(key);
            if (v instanceof JsonObject child && random.nextBoolean()) {
                mutateTree(child, random, depth + 1);
            } else if (v instanceof JsonArray a && !a.isEmpty() && random.nextBoolean()) {
                int i = random.nextInt(a.size());
                if (a.getValue(i) instanceof JsonObject child) {
                    mutateTree(child, random, depth + 1);
                } else if (random.nextInt(4) == 0) {
                    a.remove(i);
                } else {
                    a.set(i, value(random, depth));
                }
            } else if (random.nextInt(5) == 0) {
                o.remove(key);
            } else {
                o.put(key, value(random, depth));
            }
            return;
        }
        String name = keys.isEmpty() || random.nextBoolean() ? "x" + random.nextInt(4) : keys.get(random.nextInt(keys.size())) + "x";
        o.put(name, value(random, depth));
    }

    /** A value of any JSON type, often at the edge of what a field allows. */
    public static Object value(Random random, int depth) {
        return switch (random.nextInt(20)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> random.nextLong();
            case 4 -> random.nextDouble() * 1e6;
            case 5 -> -1 - random.nextInt(1000);
            case 6 -> Double.MAX_VALUE;
            case 7 -> -0.0;
            case 8 -> new java.math.BigInteger("123456789012345678901234567890");
            case 9 -> "";
            case 10 -> "x".repeat(random.nextInt(3000));
            case 11 -> depth > 6 ? 1 : new JsonObject().put("y", value(random, depth + 1));
            case 12 -> depth > 6 ? 1 : new JsonArray().add(value(random, depth + 1)).add(new JsonObject());
            case 13 -> "\u0000\u202e\uFFFD";
            case 14 -> Long.MAX_VALUE;
            case 15 -> Integer.MIN_VALUE;
            case 16 -> 1;
            case 17 -> 0.5;
            case 18 -> "2026-12-05T10:00:00Z";
            default -> new String(token(random), StandardCharsets.UTF_8);
        };
    }
}
