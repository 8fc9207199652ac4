package org.yizhan.hub.notify;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.yizhan.hub.notify.RobotWebhooksTest.await;
import static org.yizhan.hub.notify.RobotWebhooksTest.failure;

/** E-mail through a real SMTP server on loopback (GreenMail). */
@ExtendWith(VertxExtension.class)
class SmtpMailTest {

    private static final String PASSWORD = "smtp-password-42";
    private GreenMail smtp;

    @BeforeEach
    void startServer() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts@union.example", "alerts", PASSWORD));
        smtp.start();
    }

    @AfterEach
    void stopServer() {
        smtp.stop();
    }

    private Channel channel(String starttls, String password) {
        return Channel.parse(3, new JsonObject().put("name", "值班邮箱").put("kind", "email").put("host", "127.0.0.1")
                .put("port", smtp.getSmtp().getPort()).put("starttls", starttls).put("username", "alerts")
                .put("password", password).put("from", "alerts@union.example")
                .put("to", new JsonArray().add("duty@union.example").add("manager@union.example")), Optional.empty());
    }

    @Test
    void sendsTheAlertToEveryRecipientWithAChineseSubject(Vertx vertx) throws Exception {
        Message m = new Message("【紧急 urgent】烟雾报警 smoke alarm · 文三路站", List.of("站点 Station: 文三路站 (st-1)"), true);
        await(new SmtpMail(vertx, 5_000).send(channel("optional", PASSWORD), m));
        assertThat(smtp.waitForIncomingEmail(5_000, 2)).as("both recipients got it").isTrue();
        MimeMessage received = smtp.getReceivedMessages()[0];
        assertThat(received.getSubject()).isEqualTo(m.title());
        assertThat(received.getContent().toString()).contains("文三路站 (st-1)");
    }

    @Test
    void requiredStartTlsRefusesAServerWithoutIt(Vertx vertx) {
        Message m = new Message("t", List.of("x"), false);
        Throwable refused = failure(new SmtpMail(vertx, 5_000).send(channel("required", PASSWORD), m));
        assertThat(refused).isInstanceOf(Sender.DeliveryFailed.class);
        assertThat(refused.getMessage()).startsWith("SMTP").doesNotContain(PASSWORD);
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }
}
