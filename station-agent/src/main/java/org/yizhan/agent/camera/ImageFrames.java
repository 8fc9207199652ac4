package org.yizhan.agent.camera;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * Turns a PNG or JPEG image into a {@link LumaFrame}, as if a camera had taken it. The size is read from the
 * header first: images over {@link #MAX_PIXELS} are refused before any pixel is decoded (a small file may
 * claim a huge image), and large ones are subsampled so the longer side is at most {@link #MAX_SIDE}.
 * Blocking CPU work: call it on a worker thread.
 */
public final class ImageFrames {

    public static final long MAX_PIXELS = 50_000_000L;
    public static final int MAX_SIDE = 2048;

    /** The image cannot be used: {@link #tooLarge()} when it is over the limit, else it is not a readable image. */
    public static final class ImageException extends Exception {
        private final boolean tooLarge;

        ImageException(String message, boolean tooLarge) {
            super(message, null, false, false);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    static {
        ImageIO.setUseCache(false);
    }

    private ImageFrames() {
    }

    public static LumaFrame read(byte[] image) throws ImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(image))) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new ImageException("the body is not a PNG or JPEG image", false);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1 || (long) w * h > MAX_PIXELS) {
                    throw new ImageException("the image is " + w + "x" + h + " pixels; at most " + MAX_PIXELS
                            + " pixels are read", true);
                }
                ImageReadParam param = reader.getDefaultReadParam();
                int step = (Math.max(w, h) + MAX_SIDE - 1) / MAX_SIDE;
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                return luma(reader.read(0, param));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageException("the image cannot be read: " + e.getMessage(), false);
        }
    }

    /** The luminance of each pixel, as ZXing weighs it; transparent pixels count as white. */
    static LumaFrame luma(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int v;
                if ((p >>> 24) == 0) {
                    v = 0xff;
                } else {
                    v = (306 * ((p >> 16) & 0xff) + 601 * ((p >> 8) & 0xff) + 117 * (p & 0xff) + 0x200) >> 10;
                }
                out[y * w + x] = (byte) v;
            }
        }
        return new LumaFrame(out, w, h);
    }
}
