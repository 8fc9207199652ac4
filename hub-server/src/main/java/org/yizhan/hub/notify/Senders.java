package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** The sender for each kind of channel: {@link RobotWebhooks} for the group robots, {@link SmtpMail} for e-mail. */
public final class Senders implements Sender {

    private final RobotWebhooks robots;
    private final SmtpMail mail;

    public Senders(Vertx vertx, long timeoutMs) {
        this.robots = new RobotWebhooks(vertx, timeoutMs);
        this.mail = new SmtpMail(vertx, timeoutMs);
    }

    @Override
    public Future<Void> send(Channel channel, Message message) {
        return channel.kind() == ChannelKind.EMAIL ? mail.send(channel, message) : robots.send(channel, message);
    }

    @Override
    public Future<Void> close() {
        return robots.close();
    }
}
