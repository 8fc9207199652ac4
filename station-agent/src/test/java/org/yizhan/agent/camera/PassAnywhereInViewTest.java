package org.yizhan.agent.camera;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Passes held small anywhere in a 1280×720 camera view, read by the door camera's decoder and by zbarimg (zbar, a
 * decoder other than ours) from the same PNG files: in each corner, sharp, tilted, blurred, dim and under glare, at
 * 3 and 4 pixels per module (a pass of 45 modules with its quiet zone is then 135 to 180 px wide, a phone at arm's
 * length). The agent must read at least as many as zbarimg, and every one a single centred read misses because it
 * lies outside the centre.
 */
class PassAnywhereInViewTest {

    private static final int WIDTH = 1280;
    private static final int HEIGHT = 720;
    private static final String ZBARIMG = "/usr/bin/zbarimg";

    enum Look { SHARP, TILTED, BLURRED, DIM, GLARE }

    record Shot(String name, String text, byte[] png, boolean inCentre) {
    }

    private final QrDecoder decoder = new QrDecoder();

    @Test
    void readsAPassInAnyCornerAtLeastAsOftenAsZbar(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(ZBARIMG)), "zbarimg is not installed (apt-get install zbar-tools)");
        Random random = new Random(20261206);
        List<Shot> shots = new ArrayList<>();
        for (int modulePx : new int[]{3, 4}) {
            for (Look look : Look.values()) {
                for (int corner = 0; corner < 4; corner++) {
                    shots.add(shot(random, modulePx, look, corner));
                }
            }
        }
        int ours = 0;
        int zbar = 0;
        int centreOnly = 0;
        List<String> oursMissed = new ArrayList<>();
        List<String> zbarMissed = new ArrayList<>();
        for (Shot s : shots) {
            LumaFrame frame = ImageFrames.read(s.png());
            boolean read = decoder.decode(frame).filter(s.text()::equals).isPresent();
            ours += read ? 1 : 0;
            if (!read) {
                oursMissed.add(s.name());
            }
            if (decoder.decode(frame, new QrDecoder.Read(QrDecoder.Area.CENTRE, QrDecoder.Turn.UPRIGHT))
                    .filter(s.text()::equals).isPresent()) {
                centreOnly++;
            }
            Path file = dir.resolve(s.name() + ".png");
            Files.write(file, s.png());
            boolean zbarRead = zbarimg(file).equals(s.text());
            zbar += zbarRead ? 1 : 0;
            if (!zbarRead) {
                zbarMissed.add(s.name());
            }
        }
        String figures = "of " + shots.size() + " frames: agent read " + ours + " (missed " + oursMissed + "), zbarimg "
                + zbar + " (missed " + zbarMissed + "), a centred read alone " + centreOnly;
        System.out.println("Passes anywhere in view, " + figures);
        assertThat(centreOnly).as("the case this guards against: passes in the corners lie outside the centre; "
                + figures).isLessThan(shots.size() / 4);
        assertThat(ours).as(figures).isGreaterThanOrEqualTo(zbar);
        assertThat(oursMissed).as("sharp passes in a corner are all read; " + figures)
                .noneMatch(name -> name.contains("SHARP"));
    }

    /** A frame with a new pass of {@code modulePx} pixels per module in the given corner, looking as asked. */
    private static Shot shot(Random random, int modulePx, Look look, int corner) throws Exception {
        String text = passText(random);
        BitMatrix m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                Map.of(EncodeHintType.MARGIN, 4, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M));
        int side = m.getWidth() * modulePx;
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
        // background: a lamp to one side and sensor noise
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                px[y * WIDTH + x] = (byte) clamp(70 + x * 50 / WIDTH + (int) (random.nextGaussian() * 6));
            }
        }
        int margin = 24 + random.nextInt(16);
        double cx = corner % 2 == 0 ? margin + side / 2.0 + 20 : WIDTH - margin - side / 2.0 - 20;
        double cy = corner < 2 ? margin + side / 2.0 + 30 : HEIGHT - margin - side / 2.0 - 30;
        double angle = look == Look.TILTED ? Math.toRadians(15 + random.nextInt(15)) * (random.nextBoolean() ? 1 : -1)
                : Math.toRadians(random.nextGaussian() * 2);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        AffineTransform at = new AffineTransform();
        at.translate(cx, cy);
        at.rotate(angle);
        g.setTransform(at);
        g.setColor(new Color(215, 215, 215)); // the phone's screen around the code
        g.fillRect(-side / 2 - 16, -side / 2 - 28, side + 32, side + 60);
        g.setColor(new Color(35, 35, 35));
        for (int y = 0; y < m.getHeight(); y++) {
            for (int x = 0; x < m.getWidth(); x++) {
                if (m.get(x, y)) {
                    g.fillRect(-side / 2 + x * modulePx, -side / 2 + y * modulePx, modulePx, modulePx);
                }
            }
        }
        g.setTransform(new AffineTransform());
        if (look == Look.GLARE) { // a lamp's reflection over a third of the code
            double gx = cx + (random.nextBoolean() ? side / 3.0 : -side / 3.0);
            g.setPaint(new RadialGradientPaint(new Point2D.Double(gx, cy), side / 2.5f, new float[]{0f, 1f},
                    new Color[]{new Color(255, 255, 255, 150), new Color(255, 255, 255, 0)}));
            g.fillOval((int) (gx - side / 2.5), (int) (cy - side / 2.5), (int) (side / 1.25), (int) (side / 1.25));
        }
        g.dispose();
        if (look == Look.BLURRED) { // a hand that moved, or a lens not quite focused
            float[] k = new float[9];
            java.util.Arrays.fill(k, 1f / 9);
            img = new ConvolveOp(new Kernel(3, 3, k), ConvolveOp.EDGE_NO_OP, null).filter(img, null);
            px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        }
        if (look == Look.DIM) { // a dark night: little light, little contrast, more noise
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) clamp(20 + (px[i] & 0xff) * 30 / 100 + (int) (random.nextGaussian() * 4));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        String name = look + "-" + modulePx + "px-corner" + corner;
        return new Shot(name, text, out.toByteArray(), false);
    }

    /** A rider pass's length and alphabet (139 characters of base32 after "YZ:"), random. */
    private static String passText(Random random) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder b = new StringBuilder("YZ:");
        while (b.length() < 139) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** What zbarimg reads as a QR code in the file, or "" when it reads nothing. */
    private static String zbarimg(Path file) throws Exception {
        Process p = new ProcessBuilder(ZBARIMG, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start(); // zbar may complain of D-Bus there
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("zbarimg finished").isTrue();
        return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8).strip() : "";
    }
}
