package org.yizhan.agent.gnss;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** NMEA sentences from GNSS receivers: positions from RMC and GGA of any talker, errors from GST, and what is refused. */
class NmeaTest {

    static String sentence(String body) {
        return "$" + body + "*" + Nmea.checksum(body);
    }

    @Test
    void readsThePositionOfRmcAndGgaFromAnyTalker() {
        // the NMEA standard's example sentences carry these checksums
        var rmc = Nmea.parse("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A").orElseThrow();
        assertThat(rmc.lat().getAsDouble()).isCloseTo(48.1173, within(1e-6));
        assertThat(rmc.lon().getAsDouble()).isCloseTo(11.516667, within(1e-6));
        var gga = Nmea.parse("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47").orElseThrow();
        assertThat(gga.lat().getAsDouble()).isCloseTo(48.1173, within(1e-6));
        // Hangzhou from a BeiDou + GPS receiver, south and west signs
        var gn = Nmea.parse(sentence("GNRMC,020304.00,A,3016.4460,N,12007.7400,E,0.1,,071226,,,A")).orElseThrow();
        assertThat(gn.lat().getAsDouble()).isCloseTo(30.2741, within(1e-6));
        assertThat(gn.lon().getAsDouble()).isCloseTo(120.129, within(1e-6));
        var sw = Nmea.parse(sentence("BDGGA,020304.00,3351.0000,S,15112.0000,W,1,10,0.8,30,M,0,M,,")).orElseThrow();
        assertThat(sw.lat().getAsDouble()).isCloseTo(-33.85, within(1e-9));
        assertThat(sw.lon().getAsDouble()).isCloseTo(-151.2, within(1e-9));
    }

    @Test
    void readsTheErrorOfGst() {
        var gst = Nmea.parse(sentence("GPGST,172814.0,0.006,0.023,0.020,273.6,3.0,4.0,0.040")).orElseThrow();
        assertThat(gst.errorM().getAsDouble()).isCloseTo(5.0, within(1e-9));
        assertThat(gst.lat()).isEmpty();
    }

    @Test
    void givesNothingForABadChecksumNoFixOrAMalformedSentence() {
        assertThat(Nmea.parse("$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6B")).isEmpty();
        assertThat(Nmea.parse(sentence("GPRMC,123519,V,4807.038,N,01131.000,E,,,230394,,"))).as("void").isEmpty();
        assertThat(Nmea.parse(sentence("GPGGA,123519,4807.038,N,01131.000,E,0,00,,,M,,M,,"))).as("no fix").isEmpty();
        assertThat(Nmea.parse(sentence("GPRMC,123519,A,4807.038,X,01131.000,E,,,230394,,"))).isEmpty();
        assertThat(Nmea.parse(sentence("GPRMC,123519,A,4875.000,N,01131.000,E,,,230394,,"))).as("75 minutes").isEmpty();
        assertThat(Nmea.parse(sentence("GPRMC,123519,A,48a7.038,N,01131.000,E,,,230394,,"))).isEmpty();
        assertThat(Nmea.parse(sentence("GPRMC,123519,A"))).as("cut short").isEmpty();
        assertThat(Nmea.parse(sentence("GPGSV,3,1,11,03,03,111,00"))).as("not a position").isEmpty();
        assertThat(Nmea.parse("GPRMC,123519,A,4807.038,N,01131.000,E*00")).isEmpty();
        assertThat(Nmea.parse("")).isEmpty();
        assertThat(Nmea.parse("$" + "A".repeat(200) + "*00")).isEmpty();
    }
}
