package org.yizhan.agent.face;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FaceMatcherTest {

    private static final int DIM = 512;

    @Test
    void findsTheEnrolledMemberAmongTenThousandFromANoisyProbe() {
        Random rnd = new Random(7);
        FaceMatcher matcher = new FaceMatcher(DIM, 0.6f);
        float[] target = null;
        for (int i = 0; i < 10_000; i++) {
            float[] t = gaussian(rnd);
            if (i == 4321) {
                target = t;
            }
            matcher.add("m-" + i, t);
        }
        float[] probe = noisy(target, rnd, 0.5f);

        FaceMatcher.Match m = matcher.match(probe).orElseThrow();

        assertThat(m.member()).as("best match").isEqualTo("m-4321");
        assertThat(m.score()).as("cosine similarity of a probe with half as much noise").isBetween(0.8f, 0.95f);
        assertThat(matcher.size()).isEqualTo(10_000);
    }

    @Test
    void refusesAStrangerBelowTheThresholdButReportsTheClosest() {
        Random rnd = new Random(11);
        FaceMatcher matcher = new FaceMatcher(DIM, 0.6f);
        for (int i = 0; i < 100; i++) {
            matcher.add("m-" + i, gaussian(rnd));
        }
        float[] stranger = gaussian(rnd);

        assertThat(matcher.match(stranger)).as("random faces are near orthogonal in 512 dimensions").isEmpty();
        assertThat(matcher.best(stranger)).get().extracting(FaceMatcher.Match::score)
                .satisfies(s -> assertThat(s).isLessThan(0.3f));
    }

    @Test
    void scoresByDirectionNotLength() {
        FaceMatcher matcher = new FaceMatcher(3, 0.99f);
        matcher.add("m-a", new float[]{3, 0, 4});
        matcher.add("m-b", new float[]{0, 1, 0});

        FaceMatcher.Match m = matcher.match(new float[]{0.3f, 0, 0.4f}).orElseThrow();

        assertThat(m.member()).isEqualTo("m-a");
        assertThat(m.score()).isCloseTo(1f, within(1e-6f));
    }

    @Test
    void thresholdIsConfigurable() {
        FaceMatcher matcher = new FaceMatcher(2, 0.9f);
        matcher.add("m-a", new float[]{1, 0});
        float[] at60Degrees = {0.5f, (float) Math.sqrt(0.75)};

        assertThat(matcher.match(at60Degrees)).as("cos 60° = 0.5 < 0.9").isEmpty();
        matcher.setThreshold(0.5f);
        assertThat(matcher.match(at60Degrees)).as("cos 60° = 0.5 >= 0.5").isPresent();
        assertThat(matcher.threshold()).isEqualTo(0.5f);
    }

    @Test
    void removingAMemberDeletesAllTheirTemplatesAndKeepsTheOthers() {
        Random rnd = new Random(3);
        FaceMatcher matcher = new FaceMatcher(DIM, 0.6f);
        float[] keep = gaussian(rnd);
        float[] gone1 = gaussian(rnd);
        float[] gone2 = gaussian(rnd);
        matcher.add("m-gone", gone1);
        matcher.add("m-keep", keep);
        matcher.add("m-gone", gone2);

        assertThat(matcher.remove("m-gone")).as("templates removed").isEqualTo(2);

        assertThat(matcher.size()).isEqualTo(1);
        assertThat(matcher.match(gone1)).isEmpty();
        assertThat(matcher.match(gone2)).isEmpty();
        assertThat(matcher.match(keep)).get().extracting(FaceMatcher.Match::member).isEqualTo("m-keep");
        assertThat(matcher.remove("m-nobody")).isZero();
    }

    @Test
    void growsPastItsInitialCapacity() {
        FaceMatcher matcher = new FaceMatcher(4, 0.99f);
        for (int i = 0; i < 100; i++) {
            float[] v = new float[4];
            v[i % 4] = 1;
            v[(i + 1) % 4] = i;
            matcher.add("m-" + i, v);
        }
        assertThat(matcher.size()).isEqualTo(100);
        assertThat(matcher.match(new float[]{0, 1, 57, 0})).get().extracting(FaceMatcher.Match::member)
                .isEqualTo("m-57");
    }

    @Test
    void emptyMatcherMatchesNobody() {
        assertThat(new FaceMatcher(DIM, 0.5f).match(gaussian(new Random(1)))).isEmpty();
    }

    @Test
    void rejectsBadTemplatesNamingTheField() {
        FaceMatcher matcher = new FaceMatcher(3, 0.5f);
        assertThatThrownBy(() -> matcher.add("m-a", new float[]{1, 2}))
                .hasMessageContaining("embedding").hasMessageContaining("3 values");
        assertThatThrownBy(() -> matcher.add("m-a", new float[]{0, 0, 0})).hasMessageContaining("all zeros");
        assertThatThrownBy(() -> matcher.add("m-a", new float[]{1, Float.NaN, 0})).hasMessageContaining("finite");
        assertThatThrownBy(() -> matcher.add(" ", new float[]{1, 0, 0})).hasMessageContaining("member");
        assertThatThrownBy(() -> matcher.match(new float[]{1})).hasMessageContaining("embedding");
        assertThatThrownBy(() -> new FaceMatcher(3, 1.5f)).hasMessageContaining("threshold");
        assertThatThrownBy(() -> new FaceMatcher(0, 0.5f)).hasMessageContaining("dimension");
        assertThat(matcher.size()).as("nothing was enrolled").isZero();
    }

    @Test
    void faceSampleValidatesLivenessAndCopiesTheEmbedding() {
        float[] e = {1, 2, 3};
        FaceEngine.FaceSample s = new FaceEngine.FaceSample(e, 0.9f);
        e[0] = 99;
        assertThat(s.embedding()).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> new FaceEngine.FaceSample(e, 1.2f)).hasMessageContaining("liveness");
        assertThatThrownBy(() -> new FaceEngine.FaceSample(new float[0], 0.5f)).hasMessageContaining("embedding");
    }

    static float[] gaussian(Random rnd) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static float[] noisy(float[] v, Random rnd, float amount) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] + amount * (float) rnd.nextGaussian();
        }
        return out;
    }
}
