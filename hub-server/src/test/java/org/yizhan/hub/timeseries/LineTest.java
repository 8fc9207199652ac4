package org.yizhan.hub.timeseries;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Line} writes the text influxdb-client-java's {@code Point} writes, for any names and values: what the
 * stores receive and the disk buffer keeps did not change when the hub stopped building {@code Point}s.
 */
class LineTest {

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abc-_09 ,=\"\\\t\r\n驿站").ofMinLength(1).ofMaxLength(12),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(20));
    }

    @Provide
    Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.doubles().between(-1e-3, 1e-3).ofScale(12),
                Arbitraries.doubles().between(-1e12, 1e12).ofScale(3),
                Arbitraries.of(0.0, -0.0, 1e7, 1e-5, 9_999_999.999, 1e21, 1e-320, Double.MIN_VALUE, Double.MAX_VALUE,
                        -Double.MAX_VALUE, 123456789.125, Double.NaN, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY));
    }

    @Property
    void writesWhatPointWrites(@ForAll("names") String measurement, @ForAll("names") String station,
                               @ForAll("names") String text, @ForAll long count, @ForAll("doubles") double a,
                               @ForAll("doubles") double b, @ForAll long time) {
        String ours = Line.of(measurement).tag("port", "3").tag("station", station)
                .field("a_double", a).field("b_long", count).field("c_double", b).field("d_text", text).at(time);
        String point = Point.measurement(measurement).addTag("station", station).addTag("port", "3")
                .addField("d_text", text).addField("c_double", b).addField("b_long", count).addField("a_double", a)
                .time(time, WritePrecision.MS).toLineProtocol();
        assertThat(ours).isEqualTo(point);
    }

    @Property
    void aRecordWithoutAFieldIsEmptyAsPointMakesIt(@ForAll("names") String station, @ForAll long time) {
        String ours = Line.of("env").tag("station", station).field("temp_c", Double.NaN).at(time);
        String point = Point.measurement("env").addTag("station", station).addField("temp_c", Double.NaN)
                .time(time, WritePrecision.MS).toLineProtocol();
        assertThat(ours).isEqualTo(point).isEmpty();
    }

    @Example
    void aChargerRecord() {
        assertThat(Line.of("charger").tag("port", "2").tag("station", "st-a").field("energy_wh", 1200.0)
                .field("power_w", 150.5).field("state", "charging").field("temp_c", 1e-5).at(1_750_000_020_000L))
                .isEqualTo("charger,port=2,station=st-a energy_wh=1200.0,power_w=150.5,state=\"charging\","
                        + "temp_c=0.00001 1750000020000");
    }
}
