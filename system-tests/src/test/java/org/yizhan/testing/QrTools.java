package org.yizhan.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * QR codes written and read by other tools than the project's ZXing: {@code qrencode} (Debian package qrencode)
 * and {@code zbarimg} (zbar-tools).
 */
public final class QrTools {

    private static final String QRENCODE = "/usr/bin/qrencode";
    private static final String ZBARIMG = "/usr/bin/zbarimg";

    private QrTools() {
    }

    /** Skips the calling test where qrencode is not installed. */
    public static void assumeQrencode() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(QRENCODE)),
                "qrencode is not installed (apt-get install qrencode): passes are drawn with it");
    }

    public static boolean hasZbarimg() {
        return Files.isExecutable(Path.of(ZBARIMG));
    }

    /** Skips the calling test where zbarimg is not installed. */
    public static void assumeZbarimg() {
        Assumptions.assumeTrue(hasZbarimg(),
                "zbarimg is not installed (apt-get install zbar-tools): QR codes are read back with it");
    }

    /** The text as a QR code PNG, written by qrencode (libqrencode). */
    public static byte[] qrencode(String text) throws Exception {
        Process p = new ProcessBuilder("qrencode", "-o", "-", "-t", "PNG", "-l", "M", "-s", "6", "-m", "4", text)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] png = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as("qrencode exit code").isZero();
        return png;
    }

    /** What zbarimg reads from a QR code PNG (written to file first, as zbarimg wants). */
    public static String zbarimg(byte[] png, Path file) throws Exception {
        Files.write(file, png);
        Process p = new ProcessBuilder("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String decoded = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor()).as("zbarimg exit code").isZero();
        return decoded;
    }
}
