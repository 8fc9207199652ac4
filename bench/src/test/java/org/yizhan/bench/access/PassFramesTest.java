package org.yizhan.bench.access;

import org.junit.jupiter.api.Test;
import org.yizhan.agent.camera.LumaFrame;
import org.yizhan.agent.camera.QrDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PassFramesTest {

    @Test
    void benchmarkFramesDecodeToTheirPassWithTheAgentsDecoder() throws Exception {
        PassFrames frames = new PassFrames(42);
        Passes passes = new Passes();
        QrDecoder decoder = new QrDecoder();
        List<String> unread = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            String text = passes.fresh();
            LumaFrame f = frames.frame(text);
            if (!decoder.decode(f).equals(Optional.of(text))) {
                unread.add(text);
            }
        }
        // a single frame is not always read (the door camera sends several per second): about 0.6 % here
        assertThat(unread).as("passes the decoder did not read from their frame, of 500").hasSizeLessThanOrEqualTo(10);
    }

    @Test
    void backgroundHoldsNoCode() {
        assertThat(new QrDecoder().decode(new PassFrames(42).background())).isEmpty();
    }
}
