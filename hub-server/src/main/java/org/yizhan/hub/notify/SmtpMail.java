package org.yizhan.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

import java.util.Locale;

/**
 * E-mail over SMTP with vertx-mail-client: the title as subject, the lines as a plain UTF-8 text. {@code starttls}
 * {@code required} refuses a server that does not offer STARTTLS; {@code ssl} is TLS from the first byte (port 465).
 * A client per message, closed after it: alerts are few, and a changed account takes effect at once.
 */
public final class SmtpMail implements Sender {

    private final Vertx vertx;
    private final long timeoutMs;

    public SmtpMail(Vertx vertx, long timeoutMs) {
        this.vertx = vertx;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Future<Void> send(Channel channel, Message m) {
        JsonObject s = channel.settings();
        MailConfig config = new MailConfig()
                .setHostname(s.getString("host"))
                .setPort(s.getInteger("port"))
                .setSsl(s.getBoolean("ssl", false))
                .setStarttls(StartTLSOptions.valueOf(s.getString("starttls", "optional").toUpperCase(Locale.ROOT)))
                .setKeepAlive(false);
        config.setConnectTimeout((int) timeoutMs);
        config.setIdleTimeout((int) Math.max(1, timeoutMs / 1000));
        if (s.containsKey("username")) {
            config.setLogin(LoginOption.REQUIRED).setUsername(s.getString("username"))
                    .setPassword(s.getString("password", ""));
        } else {
            config.setLogin(LoginOption.DISABLED);
        }
        MailMessage mail = new MailMessage().setFrom(s.getString("from"))
                .setTo(s.getJsonArray("to").stream().map(String.class::cast).toList())
                .setSubject(m.title()).setText(m.plain());
        MailClient client;
        try {
            client = MailClient.create(vertx, config);
        } catch (RuntimeException e) {
            return Future.failedFuture(new DeliveryFailed(channel.scrub("cannot set up SMTP: " + e.getMessage())));
        }
        return client.sendMail(mail)
                .transform(ar -> client.close().transform(x -> ar.succeeded() ? Future.<Void>succeededFuture()
                        : Future.failedFuture(new DeliveryFailed(channel.scrub("SMTP: " + ar.cause().getMessage())))));
    }
}
