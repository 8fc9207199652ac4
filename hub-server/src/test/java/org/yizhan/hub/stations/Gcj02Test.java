package org.yizhan.hub.stations;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * WGS-84 to GCJ-02 against published point pairs (the eviltransform project's test points in Shanghai, Shenzhen and
 * Beijing, and coordtransform's example), and points outside China, which stay where they are.
 */
class Gcj02Test {

    @ParameterizedTest(name = "{0},{1} -> {2},{3}")
    @CsvSource({
            "31.1774276, 121.5272106, 31.17530398364597, 121.531541859215",
            "22.543847, 113.912316, 22.540796131694766, 113.9171764808363",
            "39.911954, 116.377817, 39.91334545536069, 116.38404722455657",
            "39.915, 116.404, 39.91640428150164, 116.41024449916938",
            // outside China: unchanged
            "48.8584, 2.2945, 48.8584, 2.2945",
            "-33.8568, 151.2153, -33.8568, 151.2153",
            "35.6812, 139.7671, 35.6812, 139.7671"
    })
    void matchesPublishedPairs(double lat, double lon, double gcjLat, double gcjLon) {
        double[] g = Gcj02.fromWgs84(lat, lon);
        // 1e-7 degrees is about a centimetre
        assertThat(g[0]).isCloseTo(gcjLat, within(1e-7));
        assertThat(g[1]).isCloseTo(gcjLon, within(1e-7));
    }
}
