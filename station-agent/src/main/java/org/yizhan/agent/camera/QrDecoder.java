package org.yizhan.agent.camera;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.common.GlobalHistogramBinarizer;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a QR code in a frame with ZXing, on the luminance plane and QR only. A read covers a scan area: the centred
 * square of the frame's shorter side (where the kiosk's frame guide shows riders to hold the phone), or one of four
 * corner tiles, each 9/16 of the frame's width and height (so they overlap across the middle), read at twice their
 * size so that a pass held small anywhere in the camera's view is read too. A camera stream reads each frame's
 * centre and, when it holds nothing, one tile ({@link #decodeStreamFrame}); a single image is read every way.
 * CPU work of some milliseconds: call it on a worker thread. Safe to share between threads.
 */
public final class QrDecoder {

    private final Map<DecodeHintType, Object> hints;

    public QrDecoder() {
        this(false);
    }

    /** {@code tryHarder} scans more thoroughly at several times the cost; off for the door camera. */
    public QrDecoder(boolean tryHarder) {
        Map<DecodeHintType, Object> h = new EnumMap<>(DecodeHintType.class);
        h.put(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE));
        if (tryHarder) {
            h.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
        }
        this.hints = Map.copyOf(h);
    }

    /** How the scan area is turned before it is read. */
    public enum Turn {
        UPRIGHT, QUARTER, HALF
    }

    /** Which part of the frame a read covers. */
    public enum Area {
        /** The centred square of the frame's shorter side, read as it is. */
        CENTRE,
        /** The corner tiles: 9/16 of the frame's width and height in that corner, read at twice their size. */
        TOP_LEFT, TOP_RIGHT, BOTTOM_LEFT, BOTTOM_RIGHT
    }

    /** One read: a scan area, turned. Tiles are read upright. */
    public record Read(Area area, Turn turn) {
        /** Every read, in the order a single image is read: the centre in its turns, then the corner tiles. */
        public static final List<Read> ALL = List.of(
                new Read(Area.CENTRE, Turn.UPRIGHT), new Read(Area.CENTRE, Turn.QUARTER),
                new Read(Area.CENTRE, Turn.HALF), new Read(Area.TOP_LEFT, Turn.UPRIGHT),
                new Read(Area.TOP_RIGHT, Turn.UPRIGHT), new Read(Area.BOTTOM_LEFT, Turn.UPRIGHT),
                new Read(Area.BOTTOM_RIGHT, Turn.UPRIGHT));

        private static final Area[] TILES = {Area.TOP_LEFT, Area.TOP_RIGHT, Area.BOTTOM_LEFT, Area.BOTTOM_RIGHT};

        public Read {
            if (area != Area.CENTRE && turn != Turn.UPRIGHT) {
                throw new IllegalArgumentException("a corner tile is read upright");
            }
        }

        /** The centre read of a camera stream's {@code n}th frame: the turns in turn. */
        public static Read centre(long n) {
            return new Read(Area.CENTRE, Turn.values()[(int) (n % Turn.values().length)]);
        }

        /** The tile read of a camera stream's {@code n}th frame: the corners in turn. */
        public static Read tile(long n) {
            return new Read(TILES[(int) (n % TILES.length)], Turn.UPRIGHT);
        }
    }

    /**
     * The reads of a camera stream's {@code n}th frame (n counting up from 0): the centre, turned by {@code n}
     * ({@link Read#centre}), and when that finds nothing one corner tile ({@link Read#tile}). A pass in the frame guide
     * is read on the first frame nearly always (within three whatever it needs), one held in a corner within four.
     * An idle frame costs a centre read and a tile read (bench/RESULTS.md, "Door access").
     */
    public Optional<String> decodeStreamFrame(LumaFrame frame, long n) {
        Optional<String> text = decode(frame, Read.centre(n));
        return text.isPresent() ? text : decode(frame, Read.tile(n));
    }

    /**
     * The text of the QR code in the frame, or empty when there is none that reads: every read of
     * {@link Read#ALL} until one finds it. ZXing's finder-pattern search runs along rows and misses about one
     * sharp code in two hundred upright; upright and a quarter turn together still missed 7 of 30,000 passes drawn
     * by qrencode, and a half turn read all 7. Use this for a single image; a camera stream walks the reads with
     * {@link #decodeStreamFrame} at the cost of one or two reads per frame.
     */
    public Optional<String> decode(LumaFrame frame) {
        for (Read read : Read.ALL) {
            Optional<String> text = decode(frame, read);
            if (text.isPresent()) {
                return text;
            }
        }
        return Optional.empty();
    }

    /** One read of the centre, upright or turned a quarter clockwise. */
    public Optional<String> decode(LumaFrame frame, boolean quarterTurn) {
        return decode(frame, quarterTurn ? Turn.QUARTER : Turn.UPRIGHT);
    }

    /** One read of the centre, turned as asked. */
    public Optional<String> decode(LumaFrame frame, Turn turn) {
        return decode(frame, new Read(Area.CENTRE, turn));
    }

    /** One read, as asked. */
    public Optional<String> decode(LumaFrame frame, Read read) {
        try {
            if (read.area() != Area.CENTRE) {
                return decodeTile(frame, read.area());
            }
            int side = Math.min(frame.width(), frame.height());
            int left = (frame.width() - side) / 2;
            int top = (frame.height() - side) / 2;
            PlanarYUVLuminanceSource source = switch (read.turn()) {
                case UPRIGHT -> new PlanarYUVLuminanceSource(frame.luma(), frame.width(), frame.height(), left, top,
                        side, side, false);
                case QUARTER -> plane(turned(frame, left, top, side, side), side, side);
                case HALF -> plane(halfTurned(frame, left, top, side, side), side, side);
            };
            return Optional.ofNullable(new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints)
                    .getText());
        } catch (ReaderException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            // ZXing may trip over odd input with an unchecked exception; a frame without a pass is all it is.
            return Optional.empty();
        }
    }

    /**
     * A corner tile at twice its size, binarised locally (as the centre) and, when that finds nothing, with one
     * threshold for the whole tile: the local one loses a small code in a dim room, the global one a blurred code.
     */
    private Optional<String> decodeTile(LumaFrame frame, Area area) {
        int w = (frame.width() * 9 + 15) / 16;
        int h = (frame.height() * 9 + 15) / 16;
        int left = area == Area.TOP_LEFT || area == Area.BOTTOM_LEFT ? 0 : frame.width() - w;
        int top = area == Area.TOP_LEFT || area == Area.TOP_RIGHT ? 0 : frame.height() - h;
        PlanarYUVLuminanceSource source = plane(doubled(frame, left, top, w, h), 2 * w, 2 * h);
        QRCodeReader reader = new QRCodeReader();
        try {
            return Optional.ofNullable(reader.decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText());
        } catch (ReaderException | RuntimeException e) {
            reader.reset();
        }
        try {
            return Optional.ofNullable(reader.decode(new BinaryBitmap(new GlobalHistogramBinarizer(source)), hints)
                    .getText());
        } catch (ReaderException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The w x h area at (left, top) at twice its size, each new pixel interpolated between its four neighbours. */
    static byte[] doubled(LumaFrame frame, int left, int top, int w, int h) {
        byte[] in = frame.luma();
        int stride = frame.width();
        int w2 = 2 * w;
        byte[] out = new byte[w2 * 2 * h];
        for (int y = 0; y < h; y++) {
            int row = (top + y) * stride + left;
            int below = (top + Math.min(y + 1, h - 1)) * stride + left;
            int o = 2 * y * w2;
            for (int x = 0; x < w; x++) {
                int xr = Math.min(x + 1, w - 1);
                int p = in[row + x] & 0xff;
                int r = in[row + xr] & 0xff;
                int d = in[below + x] & 0xff;
                int dr = in[below + xr] & 0xff;
                out[o + 2 * x] = (byte) p;
                out[o + 2 * x + 1] = (byte) ((p + r + 1) >> 1);
                out[o + w2 + 2 * x] = (byte) ((p + d + 1) >> 1);
                out[o + w2 + 2 * x + 1] = (byte) ((p + r + d + dr + 2) >> 2);
            }
        }
        return out;
    }

    private static PlanarYUVLuminanceSource plane(byte[] plane, int width, int height) {
        return new PlanarYUVLuminanceSource(plane, width, height, 0, 0, width, height, false);
    }

    /** The w x h area at (left, top) turned a half, as a new w x h plane. */
    private static byte[] halfTurned(LumaFrame frame, int left, int top, int w, int h) {
        byte[] in = frame.luma();
        byte[] out = new byte[w * h];
        int stride = frame.width();
        int last = w * h - 1;
        for (int y = 0; y < h; y++) {
            int row = (top + y) * stride + left;
            int base = last - y * w;
            for (int x = 0; x < w; x++) {
                out[base - x] = in[row + x];
            }
        }
        return out;
    }

    /** The w x h area at (left, top) turned a quarter clockwise, as a new h x w plane (h wide, w high). */
    private static byte[] turned(LumaFrame frame, int left, int top, int w, int h) {
        byte[] in = frame.luma();
        byte[] out = new byte[w * h];
        int stride = frame.width();
        for (int y = 0; y < h; y++) {
            int row = (top + y) * stride + left;
            int col = h - 1 - y;
            for (int x = 0; x < w; x++) {
                out[x * h + col] = in[row + x];
            }
        }
        return out;
    }
}
