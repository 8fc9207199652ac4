package org.yizhan.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Property: whatever bytes arrive on whichever channel, {@link Codec#decode} either returns a message or
 * throws {@link ProtocolException}; it never throws anything else. Seeded, so a failure repeats.
 */
class CodecFuzzTest {

    private static final long SEED = 20260101L;
    private static final int ROUNDS = 3000;

    private final Random random = new Random(SEED);
    private final Map<Channel, Message> samples = Samples.onePerChannel();
    private int decoded;
    private int refused;

    private void feed(Channel channel, byte[] payload, String how) {
        try {
            Message m = Codec.decode(channel, payload);
            assertThat(m).isNotNull();
            decoded++;
        } catch (ProtocolException e) {
            assertThat(e.field()).as("field of %s", e.getMessage()).isNotBlank();
            assertThat(e.reason()).isIn("missing", "type", "range", "malformed", "too-large", "version");
            refused++;
        } catch (Throwable t) {
            fail("decode on " + channel + " threw " + t + " for " + how + ": "
                    + new String(payload, StandardCharsets.UTF_8), t);
        }
    }

    @Test
    void randomBytesOnlyEverCauseProtocolExceptions() {
        for (int i = 0; i < ROUNDS; i++) {
            byte[] b = new byte[random.nextInt(200)];
            random.nextBytes(b);
            if (b.length > 0 && random.nextBoolean()) {
                b[0] = '{';
            }
            for (Channel c : Channel.values()) {
                feed(c, b, "random bytes");
            }
        }
        assertThat(refused).as("random bytes are refused").isEqualTo(ROUNDS * Channel.values().length);
    }

    @Test
    void byteMutationsOfValidPayloadsOnlyEverCauseProtocolExceptions() {
        for (Channel c : Channel.values()) {
            byte[] valid = Codec.encode(samples.get(c)).getBytes();
            for (int i = 0; i < ROUNDS; i++) {
                feed(c, mutateBytes(valid), "byte mutation");
            }
        }
        assertThat(decoded).as("some mutations still decode").isPositive();
        assertThat(refused).as("most mutations are refused").isPositive();
    }

    @Test
    void structuralMutationsOfValidPayloadsOnlyEverCauseProtocolExceptions() {
        for (Channel c : Channel.values()) {
            JsonObject valid = samples.get(c).toJson();
            for (int i = 0; i < ROUNDS; i++) {
                JsonObject copy = valid.copy();
                int edits = 1 + random.nextInt(3);
                for (int k = 0; k < edits; k++) {
                    mutateTree(copy);
                }
                feed(c, copy.encode().getBytes(StandardCharsets.UTF_8), "structural mutation");
            }
        }
        assertThat(decoded).isPositive();
        assertThat(refused).isPositive();
    }

    @Test
    void everyPayloadIsDecodedOnEveryOtherChannelWithoutCrashing() {
        for (Message m : samples.values()) {
            for (Channel c : Channel.values()) {
                feed(c, Codec.encode(m).getBytes(), "cross-channel");
            }
        }
        assertThat(decoded + refused).isEqualTo(samples.size() * Channel.values().length);
    }

    private byte[] mutateBytes(byte[] valid) {
        List<Byte> b = new ArrayList<>(valid.length + 8);
        for (byte x : valid) {
            b.add(x);
        }
        int edits = 1 + random.nextInt(4);
        for (int k = 0; k < edits && !b.isEmpty(); k++) {
            int at = random.nextInt(b.size());
            String inserts = "{}[]\":,0123456789.-eE\\ntf\u0000";
            switch (random.nextInt(4)) {
                case 0 -> b.set(at, (byte) random.nextInt(256));
                case 1 -> b.remove(at);
                case 2 -> b.add(at, (byte) inserts.charAt(random.nextInt(inserts.length())));
                default -> b.subList(at, b.size()).clear();
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    /** Replaces, removes or adds one field somewhere in the tree. */
    private void mutateTree(JsonObject o) {
        List<String> keys = new ArrayList<>(o.fieldNames());
        if (!keys.isEmpty() && random.nextInt(3) > 0) {
            String key = keys.get(random.nextInt(keys.size()));
            Object v = o.getValue(key);
            if (v instanceof JsonObject child && random.nextBoolean()) {
                mutateTree(child);
                return;
            }
            if (v instanceof JsonArray a && !a.isEmpty() && random.nextBoolean()) {
                int i = random.nextInt(a.size());
                if (a.getValue(i) instanceof JsonObject child) {
                    mutateTree(child);
                } else {
                    a.set(i, randomValue());
                }
                return;
            }
            if (random.nextInt(5) == 0) {
                o.remove(key);
            } else {
                o.put(key, randomValue());
            }
            return;
        }
        o.put(random.nextBoolean() ? "x" + random.nextInt(5) : "events", randomValue());
    }

    private Object randomValue() {
        return switch (random.nextInt(16)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> random.nextInt();
            case 3 -> random.nextLong();
            case 4 -> random.nextDouble() * 1e6;
            case 5 -> -random.nextInt(1000);
            case 6 -> Double.MAX_VALUE;
            case 7 -> new java.math.BigInteger("123456789012345678901234567890");
            case 8 -> "";
            case 9 -> "x".repeat(random.nextInt(2000));
            case 10 -> new JsonObject().put("y", random.nextInt());
            case 11 -> new JsonArray().add(random.nextInt()).add(new JsonObject());
            case 12 -> Ulid.next(Math.abs(random.nextLong() % Codec.MAX_TS));
            case 13 -> "charging";
            case 14 -> 1;
            default -> 0.5;
        };
    }
}
