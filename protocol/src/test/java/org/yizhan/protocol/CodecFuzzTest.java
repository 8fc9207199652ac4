package org.yizhan.protocol;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.yizhan.testing.fuzz.Corpus;
import org.yizhan.testing.fuzz.Mutations;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzing the wire codec: whatever bytes arrive on whichever channel, {@link Codec#decode} either returns a
 * message that encodes back to itself, or refuses with a {@link ProtocolException} that names the field, gives one
 * of the stable reasons and a short message; it never throws anything else. Seeds in
 * {@code src/test/resources/fuzz/codec/} and one sample per channel. {@code -Dfuzz.tries=N} sets the
 * inputs per property (docs/fuzzing.md).
 */
class CodecFuzzTest {

    static final Set<String> REASONS = Set.of("missing", "type", "range", "malformed", "too-large", "version");
    private static final Corpus CORPUS = Corpus.load("codec").with(Samples.onePerChannel().values().stream()
            .map(m -> Codec.encode(m).getBytes()).toList());

    @Provide
    Arbitrary<byte[]> mutated() {
        return Mutations.of(CORPUS);
    }

    @Property
    void mutatedPayloadsDecodeOrAreRefusedClearly(@ForAll Channel channel, @ForAll("mutated") byte[] payload) {
        Statistics.label("outcome").collect(feed(channel, payload));
        // the mutations must reach the field checks behind the JSON parser, or this fuzzes nothing
        Statistics.label("outcome").coverage(c -> {
            c.check("decoded").percentage(p -> p >= 0.5);
            c.check("refused:malformed").percentage(p -> p >= 1);
            c.check("refused:type").percentage(p -> p >= 1);
        });
    }

    @Property
    void anyBytesAreRefusedClearly(@ForAll Channel channel, @ForAll @Size(max = 600) byte[] payload) {
        String outcome = feed(channel, payload);
        assertThat(outcome).as("random bytes are no message").startsWith("refused");
    }

    @Example
    void everySeedDecodesOnSomeChannel() {
        for (byte[] seed : CORPUS.seeds()) {
            long channels = java.util.Arrays.stream(Channel.values()).filter(c -> feed(c, seed).equals("decoded")).count();
            assertThat(channels).as("channels that take %s", new String(seed, StandardCharsets.UTF_8)).isPositive();
        }
    }

    @Provide
    Arbitrary<String> topics() {
        return Mutations.textOf(Corpus.of("topics", List.of(
                Topics.of("st-0001", Channel.TELEMETRY).getBytes(StandardCharsets.UTF_8),
                Topics.of("st-a9", Channel.EVENTS_ACK).getBytes(StandardCharsets.UTF_8),
                Topics.of("st-7", Channel.COMMAND_RESULT).getBytes(StandardCharsets.UTF_8))));
    }

    @Property
    void topicsParseBackToThemselvesOrNotAtAll(@ForAll("topics") String topic) {
        Topics.parse(topic).ifPresent(a -> assertThat(a.topic()).isEqualTo(topic));
    }

    /** Decodes and checks the outcome: "decoded", or "refused:" and the reason. */
    static String feed(Channel channel, byte[] payload) {
        try {
            Message m = Codec.decode(channel, payload);
            byte[] again = Codec.encode(m).getBytes();
            if (again.length <= channel.maxBytes()) {
                assertThat(Codec.decode(channel, again).toJson()).as("decoded, encoded and decoded again")
                        .isEqualTo(m.toJson());
            }
            return "decoded";
        } catch (ProtocolException e) {
            assertThat(e.field()).as("field of %s", e.getMessage()).isNotBlank();
            assertThat(e.reason()).as("reason of %s", e.getMessage()).isIn(REASONS);
            assertThat(e.getMessage()).as("a short message").hasSizeLessThan(400);
            return "refused:" + e.reason();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError t) {
            return fail("decode on " + channel + " threw " + t + " for: " + new String(payload, StandardCharsets.UTF_8), t);
        }
    }
}
