package org.yizhan.agent.face;

import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * 1:N face matching on the station, independent of the face engine: enrolled templates are L2-normalised
 * {@code float[]} embeddings of one fixed dimension, each labelled with a member pseudonym (a member may have
 * several). A probe matches the template with the highest cosine similarity, if that similarity is at least the
 * threshold. The templates are kept in one flat array so a search over 10,000 of them is a linear scan through
 * contiguous memory. Safe to share between threads: searches run concurrently, changes exclusively.
 */
public final class FaceMatcher {

    /** The best enrolled template for a probe: whose it is and its cosine similarity (-1..1). */
    public record Match(String member, float score) {
    }

    private final int dimension;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile float threshold;
    private float[] vectors;
    private String[] members;
    private int size;

    /**
     * @param dimension the embedding length (e.g. 512)
     * @param threshold the least cosine similarity that counts as a match, in (-1, 1]
     */
    public FaceMatcher(int dimension, float threshold) {
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension: must be at least 1, was " + dimension);
        }
        this.dimension = dimension;
        setThreshold(threshold);
        this.vectors = new float[16 * dimension];
        this.members = new String[16];
    }

    public int dimension() {
        return dimension;
    }

    public float threshold() {
        return threshold;
    }

    /** Changes the match threshold (configuration applied live). */
    public void setThreshold(float threshold) {
        if (!(threshold > -1f && threshold <= 1f)) {
            throw new IllegalArgumentException("threshold: must be in (-1, 1], was " + threshold);
        }
        this.threshold = threshold;
    }

    /** The number of enrolled templates. */
    public int size() {
        lock.readLock().lock();
        try {
            return size;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Enrols one template for the member; the embedding is copied and normalised. */
    public void add(String member, float[] embedding) {
        if (member == null || member.isBlank()) {
            throw new IllegalArgumentException("member: must not be blank");
        }
        float[] unit = normalised(embedding);
        lock.writeLock().lock();
        try {
            if (size == members.length) {
                members = Arrays.copyOf(members, size * 2);
                vectors = Arrays.copyOf(vectors, size * 2 * dimension);
            }
            System.arraycopy(unit, 0, vectors, size * dimension, dimension);
            members[size++] = member;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Deletes every template of the member (consent withdrawn); answers how many there were. */
    public int remove(String member) {
        lock.writeLock().lock();
        try {
            int removed = 0;
            int i = 0;
            while (i < size) {
                if (members[i].equals(member)) {
                    int last = size - 1;
                    if (i != last) {
                        System.arraycopy(vectors, last * dimension, vectors, i * dimension, dimension);
                        members[i] = members[last];
                    }
                    Arrays.fill(vectors, last * dimension, size * dimension, 0f);
                    members[last] = null;
                    size--;
                    removed++;
                } else {
                    i++;
                }
            }
            return removed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The best match for the probe at or above the threshold, or empty when no template is close enough. */
    public Optional<Match> match(float[] probe) {
        Optional<Match> best = best(probe);
        float t = threshold;
        return best.filter(m -> m.score() >= t);
    }

    /** The closest template whatever its score, or empty when none is enrolled (for tuning the threshold). */
    public Optional<Match> best(float[] probe) {
        float[] q = normalised(probe);
        lock.readLock().lock();
        try {
            int bestIndex = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            float[] v = vectors;
            int d = dimension;
            for (int i = 0, off = 0; i < size; i++, off += d) {
                float dot = dot(q, v, off, d);
                if (dot > bestScore) {
                    bestScore = dot;
                    bestIndex = i;
                }
            }
            return bestIndex < 0 ? Optional.empty()
                    : Optional.of(new Match(members[bestIndex], Math.max(-1f, Math.min(1f, bestScore))));
        } finally {
            lock.readLock().unlock();
        }
    }

    private static float dot(float[] q, float[] v, int off, int d) {
        // four accumulators let the JIT keep several multiply-adds in flight
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = 0;
        for (; j + 3 < d; j += 4) {
            s0 += q[j] * v[off + j];
            s1 += q[j + 1] * v[off + j + 1];
            s2 += q[j + 2] * v[off + j + 2];
            s3 += q[j + 3] * v[off + j + 3];
        }
        for (; j < d; j++) {
            s0 += q[j] * v[off + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private float[] normalised(float[] embedding) {
        if (embedding == null || embedding.length != dimension) {
            throw new IllegalArgumentException("embedding: must have " + dimension + " values, had "
                    + (embedding == null ? 0 : embedding.length));
        }
        double sum = 0;
        for (float x : embedding) {
            if (!Float.isFinite(x)) {
                throw new IllegalArgumentException("embedding: holds a value that is not finite");
            }
            sum += (double) x * x;
        }
        if (sum == 0) {
            throw new IllegalArgumentException("embedding: must not be all zeros");
        }
        float inv = (float) (1.0 / Math.sqrt(sum));
        float[] out = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            out[i] = embedding[i] * inv;
        }
        return out;
    }
}
