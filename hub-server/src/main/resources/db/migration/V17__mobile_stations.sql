-- Mobile stations (可移动工会驿站): a station the operator marks mobile follows the position its GNSS receiver
-- reports. stations.lat/lon then hold its current position; here_until is the end of its stop the operator set
-- (epoch ms, or NULL); moved_at when it last moved. station_track keeps each position it moved to.
ALTER TABLE stations ADD COLUMN mobile BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE stations ADD COLUMN here_until BIGINT;
ALTER TABLE stations ADD COLUMN moved_at BIGINT;

CREATE TABLE station_track (
    station_id  VARCHAR(40)       NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    ts          BIGINT            NOT NULL,
    lat         DOUBLE PRECISION  NOT NULL,
    lon         DOUBLE PRECISION  NOT NULL,
    accuracy_m  DOUBLE PRECISION,
    PRIMARY KEY (station_id, ts)
);
