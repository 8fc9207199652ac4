package org.yizhan.hub.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.yizhan.hub.HubMain;

import java.io.IOException;

/** Run by {@link HubLoggingTest} as its own JVM: starts the hub's logging as {@code HubMain} does and logs a few lines. */
public final class LogProbe {

    private LogProbe() {
    }

    public static void main(String[] args) {
        HubMain.routeLogging();
        Logger log = LoggerFactory.getLogger(LogProbe.class);
        MDC.put("stationId", "st-0001");
        log.info("HTTP listening on port {}", 8080);
        MDC.clear();
        log.warn("time series store down", new IllegalStateException("questdb gone", new IOException("refused")));
        java.util.logging.Logger.getLogger("org.yizhan.jul").info("through java.util.logging");
        log.debug("not at info");
        LoggerFactory.getLogger("org.flywaydb.core.Flyway").info("flyway is quiet below warn");
        log.info("驿站 two\nlines \"quoted\"");
    }
}
