package org.yizhan.hub.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.concurrent.TimeUnit;

/**
 * Guards one MQTT connection in front of Netty's {@code MqttDecoder}, which would otherwise wait for whatever a
 * packet declares: it reads each packet's fixed header as the bytes pass and closes the connection at once when
 * the declared length is over the endpoint's limit or malformed, or when the first packet is not CONNECT; it closes
 * it when the whole CONNECT is in but does not decode (an MQTT 5 property length, a string length past the packet's
 * end), and when no CONNECT has decoded within the connect timeout of the accept, however slowly bytes trickle.
 * Each refusal is counted in {@code yizhan_mqtt_rejects_total{reason}}: {@code too-large}, {@code mqtt-protocol},
 * {@code connect-timeout}. Bytes pass on unchanged; only the packet boundaries are followed.
 * <p>
 * Install {@link #before()} right before the decoder and {@link #after()} right after it. One instance per
 * connection; everything runs on the connection's event loop.
 */
final class ConnectGuard {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectGuard.class);
    private static final int CONNECT = 1;
    /** A remaining length takes at most four bytes (MQTT 3.1.1 2.2.3, MQTT 5 1.5.5). */
    private static final int MAX_LENGTH_BYTES = 4;

    private final int maxPacketBytes;
    private final long timeoutMillis;
    private final HubMetrics metrics;
    private final Before before = new Before();
    private final After after = new After();

    /** Bytes of the current packet still to pass; while 0, the next byte starts a fixed header. */
    private long toSkip;
    private int headerBytes;
    private int length;
    private boolean firstPacket = true;
    private boolean connectReceived;
    private boolean connectDecoded;
    private boolean refused;
    private boolean counted;
    private ScheduledFuture<?> deadline;

    ConnectGuard(int maxPacketBytes, long timeoutMillis, HubMetrics metrics) {
        this.maxPacketBytes = maxPacketBytes;
        this.timeoutMillis = timeoutMillis;
        this.metrics = metrics;
    }

    /** The handler to put before the MQTT decoder. */
    ChannelInboundHandlerAdapter before() {
        return before;
    }

    /** The handler to put right after the MQTT decoder. */
    ChannelInboundHandlerAdapter after() {
        return after;
    }

    /** Follows the fixed headers in {@code buf} without consuming it; the reason to refuse, or null. */
    private String scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (toSkip > 0) {
                int n = (int) Math.min(toSkip, end - i);
                i += n;
                toSkip -= n;
                if (toSkip == 0) {
                    packetEnded();
                }
                continue;
            }
            int b = buf.getByte(i++) & 0xff;
            if (headerBytes == 0) {
                if (firstPacket && (b >> 4) != CONNECT) {
                    return "mqtt-protocol: the first packet is not CONNECT (type " + (b >> 4) + ")";
                }
                headerBytes = 1;
                length = 0;
                continue;
            }
            length |= (b & 0x7f) << (7 * (headerBytes - 1));
            headerBytes++;
            if ((b & 0x80) != 0) {
                if (headerBytes > MAX_LENGTH_BYTES) {
                    return "mqtt-protocol: malformed remaining length";
                }
                continue;
            }
            if (length > maxPacketBytes) {
                return "too-large: a packet declares " + length + " bytes, over the limit of " + maxPacketBytes;
            }
            headerBytes = 0;
            toSkip = length;
            if (toSkip == 0) {
                packetEnded();
            }
        }
        return null;
    }

    private void packetEnded() {
        if (firstPacket) {
            firstPacket = false;
            connectReceived = true;
        }
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        refused = true;
        cancelDeadline();
        if (!counted) {
            counted = true;
            metrics.rejected(why.substring(0, why.indexOf(':') < 0 ? why.length() : why.indexOf(':')));
            LOG.debug("Closing MQTT connection from {}: {}", ctx.channel().remoteAddress(), why);
        }
        ctx.close();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private final class Before extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            deadline = ctx.executor().schedule(() -> {
                if (!connectDecoded && ctx.channel().isActive()) {
                    refuse(ctx, "connect-timeout: no CONNECT within " + timeoutMillis + " ms");
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            cancelDeadline();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            cancelDeadline();
            super.channelInactive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refused) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof ByteBuf buf) {
                String why = scan(buf);
                if (why != null) {
                    ReferenceCountUtil.release(msg);
                    refuse(ctx, why);
                    return;
                }
            }
            ctx.fireChannelRead(msg);
            // the decoder passes a complete packet on within this call: a CONNECT all in but not out is malformed
            // (one it passed on as undecodable is vertx-mqtt's to answer and close, behind the deadline)
            if (connectReceived && !connectDecoded && !counted && !refused && ctx.channel().isActive()) {
                refuse(ctx, "mqtt-protocol: the CONNECT packet does not decode");
            }
        }
    }

    private final class After extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!connectDecoded && msg instanceof MqttMessage m) {
                if (m.decoderResult().isFailure()) {
                    // the endpoint closes on it (the deadline stays, should it not); counted here, as nothing else
                    // sees a connection before its CONNECT
                    counted = true;
                    metrics.rejected("mqtt-protocol");
                    LOG.debug("MQTT connection from {} sent a malformed CONNECT: {}", ctx.channel().remoteAddress(),
                            m.decoderResult().cause().getMessage());
                } else if (m instanceof MqttConnectMessage) {
                    connectDecoded = true;
                    cancelDeadline();
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
