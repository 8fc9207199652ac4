package org.yizhan.agent.camera;

import org.junit.jupiter.api.Test;
import org.yizhan.access.Ed25519;
import org.yizhan.access.RiderPass;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The door camera's decoder on passes drawn by another encoder (qrencode), including one ZXing misses upright. */
class QrDecoderTest {

    /** A pass drawn by qrencode at 6 px per module that ZXing's upright finder search does not find. */
    private static final String MISSED_UPRIGHT = "YZ:AEAAOKIGEZJ534VCQIRMWA4RSNVL5R4AGYYIGNP4HEKANLMWE7GFP52YJ7M4QHLNEG"
            + "U5TJTGC45RGDSQMPU7RW3KL7PKCQOLTJSEZ6RWM64DP2W22AHXIIQA6UFW3Y3OBZECIRYB";

    /** A pass drawn by qrencode that ZXing finds neither upright nor turned a quarter, but turned a half. */
    private static final String MISSED_UPRIGHT_AND_QUARTER = "YZ:AEAAOO4657K5REKGQLMUYA4RX2N3O4CCNQ2PUYQEVNPSG2BX6TWWW5"
            + "OFTNTFR3OBIZT6WM62KKRVPTSGIFFLJEVMQFAKHKPX3JOH7DLDL4RL44WNJSUDJ7BO5GL5Q4LB2G6K6HYN";

    private final QrDecoder decoder = new QrDecoder();

    private LumaFrame resource(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream(name)) {
            return ImageFrames.read(in.readAllBytes());
        }
    }

    @Test
    void readsAPassThatOnlyReadsTurnedAHalf() throws Exception {
        LumaFrame frame = resource("/qr/pass-missed-upright-and-quarter.png");
        assertThat(decoder.decode(frame, QrDecoder.Turn.UPRIGHT)).as("the case this guards against").isEmpty();
        assertThat(decoder.decode(frame, QrDecoder.Turn.QUARTER)).as("the case this guards against").isEmpty();
        assertThat(decoder.decode(frame, QrDecoder.Turn.HALF)).contains(MISSED_UPRIGHT_AND_QUARTER);
        assertThat(decoder.decode(frame)).contains(MISSED_UPRIGHT_AND_QUARTER);
    }

    @Test
    void readsAPassThatOnlyReadsTurnedAQuarter() throws Exception {
        LumaFrame frame;
        try (InputStream in = getClass().getResourceAsStream("/qr/pass-missed-upright.png")) {
            frame = ImageFrames.read(in.readAllBytes());
        }
        assertThat(decoder.decode(frame, false)).as("the case this guards against").isEmpty();
        assertThat(decoder.decode(frame, true)).contains(MISSED_UPRIGHT);
        assertThat(decoder.decode(frame)).contains(MISSED_UPRIGHT);
    }

    @Test
    void readsEveryOneOfManyPassesDrawnByAnotherEncoder() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/qrencode")), "qrencode is not installed (apt-get install qrencode)");
        KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        SecureRandom random = new SecureRandom();
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String text = RiderPass.sign(7, RiderPass.newMemberId(random), RiderPass.slotOf(System.currentTimeMillis()),
                    random.nextInt(), key.getPrivate()).text();
            Process p = new ProcessBuilder("qrencode", "-o", "-", "-t", "PNG", "-l", "M", "-s", "6", "-m", "4", text)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] png = p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
            if (!decoder.decode(ImageFrames.read(png)).filter(text::equals).isPresent()) {
                missed.add(text);
            }
        }
        assertThat(missed).as("passes not read").isEmpty();
    }
}
