package org.yizhan.hub.stations;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stations of demo mode: {@code demo-1} .. {@code demo-N} around Hangzhou's West Lake, on the simulated
 * hardware profile. Created when absent; a demo station not yet provisioned gets a claim code to provision with.
 */
public final class DemoStations {

    private static final Logger LOG = LoggerFactory.getLogger(DemoStations.class);
    private static final String[] NAMES = {"西湖边骑手驿站", "武林广场骑手驿站", "钱江新城骑手驿站", "城站骑手驿站",
            "滨江骑手驿站", "拱宸桥骑手驿站"};

    /** One demo station; {@code claimCode} (display form) is present while it is not provisioned. */
    public record Demo(String stationId, String name, boolean provisioned, Optional<String> claimCode) {
    }

    private final StationStore stations;

    public DemoStations(StationStore stations) {
        this.stations = stations;
    }

    public static String id(int n) {
        return "demo-" + n;
    }

    public Future<List<Demo>> ensure(int count) {
        Future<List<Demo>> f = Future.succeededFuture(new ArrayList<>());
        for (int i = 1; i <= count; i++) {
            int n = i;
            f = f.compose(list -> ensureOne(n).map(d -> {
                list.add(d);
                return list;
            }));
        }
        return f;
    }

    private Future<Demo> ensureOne(int n) {
        String id = id(n);
        String name = NAMES[(n - 1) % NAMES.length] + (n > NAMES.length ? " " + n : "");
        NewStation spec = new NewStation(name, "浙江省杭州市 演示地址 " + n + " 号", 30.2590 + 0.011 * ((n % 5) - 2),
                120.1590 + 0.013 * ((n % 7) - 3), "simulated", 4, 20, 10, 30);
        return stations.get(id).compose(existing -> {
            if (existing.isEmpty()) {
                return stations.createWithId(id, spec).map(c -> {
                    LOG.info("Created demo station {}", id);
                    return c.map(created -> new Demo(id, name, false,
                            Optional.of(ClaimCodes.display(created.claim().code()))))
                            .orElse(new Demo(id, name, false, Optional.empty()));
                });
            }
            Station s = existing.get();
            if (s.provisionedAt().isPresent()) {
                return Future.succeededFuture(new Demo(id, s.name(), true, Optional.empty()));
            }
            return stations.currentClaim(id)
                    .compose(c -> c.isPresent() ? Future.succeededFuture(c) : stations.issueClaim(id))
                    .map(c -> new Demo(id, s.name(), false, c.map(x -> ClaimCodes.display(x.code()))));
        });
    }
}
