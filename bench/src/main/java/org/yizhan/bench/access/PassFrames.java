package org.yizhan.bench.access;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import org.yizhan.agent.camera.LumaFrame;

import java.util.Map;
import java.util.Random;

/**
 * Camera frames as the door camera sees a phone held up to it: a 1280×720 grey frame (the luminance plane the
 * camera path decodes) with camera noise, a lighter phone screen and on it a rider pass QR drawn with ZXing at
 * error correction M (as the hub renders it), 6 pixels per module (a version 5 code, 37 modules, is then
 * 222 px wide: a phone at some 25 cm), a little off the centre of the scan area.
 */
final class PassFrames {

    static final int WIDTH = 1280;
    static final int HEIGHT = 720;
    static final int MODULE_PX = 6;
    static final int QUIET_MODULES = 4;
    /** Top-left corner of the code's quiet zone in the frame: right of and above the centre. */
    static final int LEFT = 560;
    static final int TOP = 200;

    private final byte[] background;

    PassFrames(long seed) {
        Random rnd = new Random(seed);
        background = new byte[WIDTH * HEIGHT];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                // a soft left-to-right gradient (a lamp to one side) plus sensor noise
                int v = 70 + (x * 50) / WIDTH + (int) (rnd.nextGaussian() * 6);
                background[y * WIDTH + x] = (byte) Math.max(0, Math.min(255, v));
            }
        }
    }

    /** The frame without a phone in it. */
    LumaFrame background() {
        return new LumaFrame(background.clone(), WIDTH, HEIGHT);
    }

    /** A new frame holding {@code text} as a QR code. */
    LumaFrame frame(String text) {
        byte[] luma = new byte[WIDTH * HEIGHT];
        draw(text, luma);
        return new LumaFrame(luma, WIDTH, HEIGHT);
    }

    /** Draws {@code text} into {@code luma} (a frame's buffer), over the background. */
    void draw(String text, byte[] luma) {
        System.arraycopy(background, 0, luma, 0, background.length);
        BitMatrix m = modules(text);
        int n = m.getWidth() + 2 * QUIET_MODULES;
        int screen = n * MODULE_PX;
        // the phone screen: a bright area somewhat larger than the code
        for (int y = TOP - 30; y < TOP + screen + 60; y++) {
            for (int x = LEFT - 20; x < LEFT + screen + 20; x++) {
                luma[y * WIDTH + x] = (byte) (200 + ((luma[y * WIDTH + x] & 0xff) - 90) / 2);
            }
        }
        for (int my = 0; my < m.getHeight(); my++) {
            for (int mx = 0; mx < m.getWidth(); mx++) {
                if (!m.get(mx, my)) {
                    continue;
                }
                int x0 = LEFT + (mx + QUIET_MODULES) * MODULE_PX;
                int y0 = TOP + (my + QUIET_MODULES) * MODULE_PX;
                for (int y = y0; y < y0 + MODULE_PX; y++) {
                    for (int x = x0; x < x0 + MODULE_PX; x++) {
                        luma[y * WIDTH + x] = (byte) (35 + ((luma[y * WIDTH + x] & 0xff) - 200) / 4);
                    }
                }
            }
        }
    }

    /** The code's modules, one pixel each, without quiet zone. */
    static BitMatrix modules(String text) {
        try {
            return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.MARGIN, 0, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M));
        } catch (WriterException e) {
            throw new IllegalArgumentException("text: cannot be a QR code: " + e.getMessage(), e);
        }
    }
}
