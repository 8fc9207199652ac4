package org.yizhan.testing;

/** Closing what a test class started, in order, skipping what never started. */
public final class Cleanup {

    private Cleanup() {
    }

    /** Closes each that is not null, in the order given; the first failure is thrown after all are tried. */
    public static void close(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
