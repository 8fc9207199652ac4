package org.yizhan.agent.camera;

/**
 * One camera frame as its luminance plane: {@code width * height} bytes, one per pixel, row by row (the Y
 * plane of a YUV frame, or a grey image). The array is not copied: a producer hands it over.
 */
public record LumaFrame(byte[] luma, int width, int height) {

    public LumaFrame {
        if (width < 1 || height < 1 || luma.length < (long) width * height) {
            throw new IllegalArgumentException("frame: " + luma.length + " bytes cannot hold " + width + "x" + height);
        }
    }
}
