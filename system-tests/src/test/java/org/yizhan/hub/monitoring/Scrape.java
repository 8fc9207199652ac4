package org.yizhan.hub.monitoring;

import org.yizhan.testing.TestHub;

import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** One scrape of a hub's {@code GET /metrics} (Prometheus text format): its sample names and values. */
record Scrape(String text, Set<String> names) {

    static Scrape of(TestHub hub) throws Exception {
        HttpResponse<String> r = hub.send("GET", "/metrics", null, null);
        assertThat(r.statusCode()).as("GET /metrics").isEqualTo(200);
        Set<String> names = new TreeSet<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return new Scrape(r.body(), names);
    }

    /** The value of the sample whose line starts with {@code series} (name and labels as the hub writes them). */
    double value(String series) {
        Optional<String> line = text.lines().filter(l -> l.startsWith(series + " ")).findFirst();
        assertThat(line).as("a sample %s in /metrics", series).isPresent();
        String[] parts = line.get().split(" ");
        return Double.parseDouble(parts[parts.length - 1]);
    }
}
