package org.yizhan.hub.notify;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/** The signatures group robots check when their "加签" (signing secret) security setting is on. */
public final class Signatures {

    private Signatures() {
    }

    /**
     * DingTalk: base64(HmacSHA256(key = secret, data = timestamp + "\n" + secret)), URL-encoded (UTF-8), sent as the
     * {@code sign} query parameter beside {@code timestamp} (epoch milliseconds).
     */
    public static String dingTalk(String secret, long timestampMillis) {
        String sign = hmacBase64(secret, timestampMillis + "\n" + secret);
        return URLEncoder.encode(sign, StandardCharsets.UTF_8);
    }

    /**
     * Feishu / Lark: base64(HmacSHA256(key = timestamp + "\n" + secret, data = nothing)), sent as the body field
     * {@code sign} beside {@code timestamp} (epoch seconds, as a string).
     */
    public static String feishu(String secret, long timestampSeconds) {
        return hmacBase64(timestampSeconds + "\n" + secret, "");
    }

    private static String hmacBase64(String key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
