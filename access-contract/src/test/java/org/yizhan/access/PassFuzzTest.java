package org.yizhan.access;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.yizhan.testing.fuzz.Corpus;
import org.yizhan.testing.fuzz.Mutations;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzing what a rider shows the door camera: any text is read as a pass or refused without a crash, a pass has
 * exactly one spelling (so no second text of the same pass slips past a replay check), and no change to a signed
 * pass still verifies. Seeds in {@code src/test/resources/fuzz/pass/} and passes signed here.
 */
class PassFuzzTest {

    private static final KeyPair KEY;
    private static final Set<String> SIGNED = new java.util.HashSet<>();
    private static final Corpus PASSES;

    static {
        try {
            KEY = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            SecureRandom random = new SecureRandom();
            List<byte[]> seeds = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String text = RiderPass.sign(i, RiderPass.newMemberId(random), RiderPass.slotOf(System.currentTimeMillis()),
                        random.nextInt(), KEY.getPrivate()).text();
                SIGNED.add(text);
                seeds.add(text.getBytes(StandardCharsets.US_ASCII));
            }
            PASSES = Corpus.load("pass").with(seeds);
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Provide
    Arbitrary<String> mutatedPasses() {
        // byte edits, and single characters of the pass alphabet swapped, which keep the text's form
        Arbitrary<String> swapped = Arbitraries.randomValue(random -> {
            String text = new String(PASSES.seeds().get(random.nextInt(PASSES.seeds().size())), StandardCharsets.US_ASCII);
            char[] c = text.toCharArray();
            int edits = 1 + random.nextInt(2);
            for (int i = 0; i < edits; i++) {
                c[3 + random.nextInt(c.length - 3)] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".charAt(random.nextInt(32));
            }
            return new String(c);
        });
        return Arbitraries.oneOf(Mutations.textOf(PASSES), swapped);
    }

    @Property
    void aPassHasOneSpellingAndNoChangedPassVerifies(@ForAll("mutatedPasses") String text) {
        var pass = RiderPass.parse(text);
        Statistics.label("outcome").collect(pass.isEmpty() ? "refused" : pass.get().verify(KEY.getPublic()) ? "verified" : "forged");
        Statistics.label("outcome").coverage(c -> c.check("forged").percentage(p -> p >= 10));
        pass.ifPresent(p -> {
            assertThat(p.text()).as("the one spelling of the pass read from %s", text).isEqualTo(text);
            if (p.verify(KEY.getPublic())) {
                assertThat(SIGNED).as("a pass that verifies was signed here").contains(text);
            }
        });
    }

    @Property
    void anyTextIsReadOrRefusedWithoutACrash(@ForAll String text) {
        RiderPass.parse(text).ifPresent(p -> assertThat(p.text()).isEqualTo(text));
        Base32.decode(text).ifPresent(b -> assertThat(Base32.encode(b)).isEqualTo(text));
    }

    @Provide
    Arbitrary<String> hours() {
        return Mutations.textOf(Corpus.load("hours"));
    }

    @Provide
    Arbitrary<String> zones() {
        return Arbitraries.oneOf(Arbitraries.of("Asia/Shanghai", "UTC", "Europe/Berlin", "+08:00"),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Property
    void openingHoursAreReadOrRefusedByName(@ForAll("hours") String hours, @ForAll("zones") String zone) {
        OpeningHours h;
        try {
            h = OpeningHours.parse(hours, zone);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).as("refusal of '%s' in %s", hours, zone).startsWith("openingHours");
            Statistics.label("outcome").collect("refused");
            return;
        }
        Statistics.label("outcome").collect("read");
        assertThat(h.openMinute()).isBetween(0, 24 * 60);
        assertThat(h.closeMinute()).isBetween(0, 24 * 60);
        assertThat(hours).as("read as written").matches(OpeningHours.FORM);
        assertThat(String.format("%02d:%02d-%02d:%02d", h.openMinute() / 60, h.openMinute() % 60, h.closeMinute() / 60,
                h.closeMinute() % 60)).isEqualTo(hours);
        assertThat(h.zone()).isEqualTo(ZoneId.of(zone));
    }

    @Property
    void entryNoncesOfAnyTextAreReadOrRefused(@ForAll String nonce) {
        EntryNonce n = EntryNonce.of("st-0001", new byte[32]);
        n.slotOfNonce(nonce, EntryNonce.slotOf(System.currentTimeMillis()), 3)
                .ifPresent(slot -> assertThat(n.nonce(slot)).isEqualTo(nonce));
    }
}
