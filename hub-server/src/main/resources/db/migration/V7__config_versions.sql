-- Each station's desired configuration as numbered versions: the settings a technician may change (as JSON,
-- keyed like the station configuration: "heartbeatSeconds", "door.unlockSeconds", "charger.portMaxW", ...),
-- who pushed them, when, and what changed against the version before. Version 1 is the registry's defaults
-- and has no row. Times are epoch milliseconds.

CREATE TABLE station_config_versions (
    station_id  VARCHAR(40)   NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    version     INT           NOT NULL,
    settings    VARCHAR(8192) NOT NULL,
    changes     VARCHAR(8192) NOT NULL,
    created_at  BIGINT        NOT NULL,
    created_by  VARCHAR(64)   NOT NULL,
    PRIMARY KEY (station_id, version)
);
