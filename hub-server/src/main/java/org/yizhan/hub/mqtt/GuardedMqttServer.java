package org.yizhan.hub.mqtt;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.internal.tls.SslContextProvider;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrafficShapingOptions;
import io.vertx.core.net.impl.NetServerInternal;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yizhan.hub.metrics.HubMetrics;

import java.util.concurrent.TimeUnit;

/**
 * A vertx-mqtt {@link MqttServer} that looks at each accepted socket before MQTT does. vertx-mqtt offers no hook
 * between accept and CONNECT, and before CONNECT it waits as long as a packet's declared length says; so the server
 * is built on a Vert.x whose TCP server hands every accepted socket here first: a socket from an address over its
 * {@link ConnectLimiter} budget is closed at once (counted as {@code connect-rate}), any other gets a
 * {@link ConnectGuard} around the MQTT decoder once vertx-mqtt has set up its pipeline, and a write queue that
 * costs nothing while empty ({@link CompactWriteQueues}).
 */
final class GuardedMqttServer {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedMqttServer.class);
    /** The name vertx-mqtt gives its decoder in the pipeline. */
    private static final String DECODER = "mqttDecoder";

    private GuardedMqttServer() {
    }

    static MqttServer create(Vertx vertx, MqttServerOptions options, ConnectLimiter limiter, ConnectLimits limits,
                             HubMetrics metrics) {
        long timeoutMillis = TimeUnit.SECONDS.toMillis(limits.timeoutSeconds());
        return MqttServer.create(new VertxWrapper((VertxInternal) vertx) {
            @Override
            public NetServerInternal createNetServer(NetServerOptions o) {
                return new Accepting(delegate.createNetServer(o), limiter,
                        () -> new ConnectGuard(options.getMaxMessageSize(), timeoutMillis, metrics), metrics);
            }
        }, options);
    }

    /** The TCP server under vertx-mqtt, with the admission check and the guard in front of its connect handler. */
    private static final class Accepting implements NetServerInternal {
        private final NetServerInternal server;
        private final ConnectLimiter limiter;
        private final java.util.function.Supplier<ConnectGuard> guards;
        private final HubMetrics metrics;
        private Handler<NetSocket> mqtt;

        Accepting(NetServerInternal server, ConnectLimiter limiter, java.util.function.Supplier<ConnectGuard> guards,
                  HubMetrics metrics) {
            this.server = server;
            this.limiter = limiter;
            this.guards = guards;
            this.metrics = metrics;
        }

        private void accepted(NetSocket so) {
            String from = so.remoteAddress() == null ? "" : so.remoteAddress().hostAddress();
            if (!limiter.admit(from)) {
                metrics.rejected("connect-rate");
                so.close();
                return;
            }
            CompactWriteQueues.compact(so);
            mqtt.handle(so);
            ChannelPipeline pipeline = ((NetSocketInternal) so).channelHandlerContext().pipeline();
            ConnectGuard guard = guards.get();
            try {
                pipeline.addBefore(DECODER, "yizhanGuardBefore", guard.before());
                pipeline.addAfter(DECODER, "yizhanGuardAfter", guard.after());
            } catch (RuntimeException e) {
                // a vertx-mqtt without a decoder of that name: fail closed rather than run unguarded
                LOG.error("Cannot guard the MQTT connection from {} ({}); closing it", from, e.toString());
                so.close();
            }
        }

        @Override
        public NetServerInternal connectHandler(Handler<NetSocket> handler) {
            this.mqtt = handler;
            server.connectHandler(handler == null ? null : this::accepted);
            return this;
        }

        @Override
        public Handler<NetSocket> connectHandler() {
            return mqtt;
        }

        @Override
        public NetServerInternal exceptionHandler(Handler<Throwable> handler) {
            server.exceptionHandler(handler);
            return this;
        }

        @Override
        public SslContextProvider sslContextProvider() {
            return server.sslContextProvider();
        }

        @Override
        public Future<NetServer> listen(ContextInternal context, SocketAddress localAddress) {
            return server.listen(context, localAddress);
        }

        @Override
        public Future<NetServer> listen() {
            return server.listen();
        }

        @Override
        public Future<NetServer> listen(int port, String host) {
            return server.listen(port, host);
        }

        @Override
        public Future<NetServer> listen(int port) {
            return server.listen(port);
        }

        @Override
        public Future<NetServer> listen(SocketAddress localAddress) {
            return server.listen(localAddress);
        }

        @Override
        public Future<Void> close() {
            return server.close();
        }

        @Override
        public Future<Void> shutdown() {
            return server.shutdown();
        }

        @Override
        public Future<Void> shutdown(long timeout, TimeUnit unit) {
            return server.shutdown(timeout, unit);
        }

        @Override
        public int actualPort() {
            return server.actualPort();
        }

        @Override
        public Future<Boolean> updateSSLOptions(ServerSSLOptions options, boolean force) {
            return server.updateSSLOptions(options, force);
        }

        @Override
        public Future<Boolean> updateTrafficShapingOptions(TrafficShapingOptions options) {
            return server.updateTrafficShapingOptions(options);
        }

        @Override
        public boolean isMetricsEnabled() {
            return server.isMetricsEnabled();
        }
    }
}
