package org.yizhan.agent.camera;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a QR code in a frame with ZXing, on the luminance plane and QR only. Only the scan area is read: the
 * centred square of the frame's shorter side (where the kiosk's frame guide shows riders to hold the phone).
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
        UPRIGHT, QUARTER, HALF;

        /** The next turn in the cycle a camera stream walks through, one read per frame. */
        public Turn next() {
            return values()[(ordinal() + 1) % values().length];
        }
    }

    /**
     * The text of the QR code in the scan area, or empty when there is none that reads. Reads the scan area
     * upright, then turned a quarter, then a half: ZXing's finder-pattern search runs along rows and misses about
     * one sharp code in two hundred upright; upright and a quarter turn together still missed 7 of 30,000 passes
     * drawn by qrencode, and a half turn read all 7. Use this for a single image; a camera stream
     * walks the turns with {@link #decode(LumaFrame, Turn)} at the cost of one read per frame.
     */
    public Optional<String> decode(LumaFrame frame) {
        for (Turn turn : Turn.values()) {
            Optional<String> text = decode(frame, turn);
            if (text.isPresent()) {
                return text;
            }
        }
        return Optional.empty();
    }

    /** One read of the scan area, upright or turned a quarter clockwise. */
    public Optional<String> decode(LumaFrame frame, boolean quarterTurn) {
        return decode(frame, quarterTurn ? Turn.QUARTER : Turn.UPRIGHT);
    }

    /** One read of the scan area, turned as asked. */
    public Optional<String> decode(LumaFrame frame, Turn turn) {
        int side = Math.min(frame.width(), frame.height());
        int left = (frame.width() - side) / 2;
        int top = (frame.height() - side) / 2;
        try {
            PlanarYUVLuminanceSource source = switch (turn) {
                case UPRIGHT -> new PlanarYUVLuminanceSource(frame.luma(), frame.width(), frame.height(), left, top,
                        side, side, false);
                case QUARTER -> square(turned(frame, left, top, side), side);
                case HALF -> square(halfTurned(frame, left, top, side), side);
            };
            Result r = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints);
            return Optional.ofNullable(r.getText());
        } catch (ReaderException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            // ZXing may trip over odd input with an unchecked exception; a frame without a pass is all it is.
            return Optional.empty();
        }
    }

    private static PlanarYUVLuminanceSource square(byte[] plane, int side) {
        return new PlanarYUVLuminanceSource(plane, side, side, 0, 0, side, side, false);
    }

    /** The square scan area turned a half, as a new side x side plane. */
    private static byte[] halfTurned(LumaFrame frame, int left, int top, int side) {
        byte[] in = frame.luma();
        byte[] out = new byte[side * side];
        int w = frame.width();
        int last = side * side - 1;
        for (int y = 0; y < side; y++) {
            int row = (top + y) * w + left;
            int base = last - y * side;
            for (int x = 0; x < side; x++) {
                out[base - x] = in[row + x];
            }
        }
        return out;
    }

    /** The square scan area turned a quarter clockwise, as a new side x side plane. */
    private static byte[] turned(LumaFrame frame, int left, int top, int side) {
        byte[] in = frame.luma();
        byte[] out = new byte[side * side];
        int w = frame.width();
        for (int y = 0; y < side; y++) {
            int row = (top + y) * w + left;
            int col = side - 1 - y;
            for (int x = 0; x < side; x++) {
                out[x * side + col] = in[row + x];
            }
        }
        return out;
    }
}
