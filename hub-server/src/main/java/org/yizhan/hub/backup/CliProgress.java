package org.yizhan.hub.backup;

import java.io.PrintStream;

/** Progress of a large backup or restore on the command line: a line every tenth, for more than 16 MB. */
final class CliProgress implements BackupArchive.Progress {

    private static final long SHOWN_FROM = 16L << 20;

    private final PrintStream out;
    private final String what;
    private int tenths;

    CliProgress(PrintStream out, String what) {
        this.out = out;
        this.what = what;
    }

    @Override
    public void bytes(long done, long total) {
        if (total < SHOWN_FROM) {
            return;
        }
        int now = (int) (done * 10 / total);
        if (now > tenths) {
            tenths = now;
            out.printf("  %s: %d%% (%d of %d MB)%n", what, now * 10, done >> 20, total >> 20);
            out.flush();
        }
    }
}
