package org.yizhan.hub.notify;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of notification channel: the three group robots and e-mail. */
public enum ChannelKind {
    /** A WeCom (企业微信) group robot: markdown to its webhook, answer {@code {"errcode":0}}. */
    WECOM,
    /** A DingTalk (钉钉) group robot: markdown to its webhook, signed when it has a secret; answer {@code {"errcode":0}}. */
    DINGTALK,
    /** A Feishu / Lark (飞书) group robot: text to its webhook, signed when it has a secret; answer {@code {"code":0}}. */
    FEISHU,
    /** E-mail over SMTP. */
    EMAIL;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ChannelKind> ofWire(String s) {
        return Arrays.stream(values()).filter(k -> k.wireName().equals(s)).findFirst();
    }

    /** "wecom, dingtalk, feishu, email", for error messages. */
    public static String choices() {
        return Arrays.stream(values()).map(ChannelKind::wireName).collect(Collectors.joining(", "));
    }
}
