-- Signed agent updates and their rollouts in rings.
--
-- agent_updates: one row per uploaded, verified bundle (the manifest's version, the jar's SHA-256 and size, the
-- release key that signed it); the bundle itself in agent_update_chunks, 1 MiB per row, so every hub replica on
-- this registry can serve it without holding it in memory.
-- update_rollouts: one rollout of a version to stations, ring by ring (0: one station, 1: a tenth, 2: the rest);
-- state running, halted (a station of the ring failed), done or cancelled.
-- update_targets: each station of a rollout, its ring and how far it got (waiting, sent, installing, applied,
-- rolled_back, failed, cancelled), with the agent.update command sent to it.
-- agent_versions: the agent version each station reported in its last birth.

CREATE TABLE agent_updates (
    version      VARCHAR(40)  PRIMARY KEY,
    sha256       VARCHAR(64)  NOT NULL,
    jar_size     BIGINT       NOT NULL,
    bundle_size  BIGINT       NOT NULL,
    chunks       INT          NOT NULL,
    key_id       VARCHAR(16)  NOT NULL,
    signed_at    BIGINT       NOT NULL,
    uploaded_at  BIGINT       NOT NULL,
    uploaded_by  VARCHAR(64)  NOT NULL
);

CREATE TABLE agent_update_chunks (
    version  VARCHAR(40)  NOT NULL REFERENCES agent_updates (version) ON DELETE CASCADE,
    seq      INT          NOT NULL,
    data     BYTEA        NOT NULL,
    PRIMARY KEY (version, seq)
);

CREATE TABLE update_rollouts (
    id                VARCHAR(26)   PRIMARY KEY,
    version           VARCHAR(40)   NOT NULL REFERENCES agent_updates (version),
    state             VARCHAR(12)   NOT NULL,
    ring              INT           NOT NULL,
    deadline_seconds  INT           NOT NULL,
    max_in_flight     INT           NOT NULL,
    failures_accepted INT           NOT NULL DEFAULT 0,
    created_at        BIGINT        NOT NULL,
    created_by        VARCHAR(64)   NOT NULL,
    updated_at        BIGINT        NOT NULL,
    detail            VARCHAR(500)
);

CREATE TABLE update_targets (
    rollout_id    VARCHAR(26)   NOT NULL REFERENCES update_rollouts (id) ON DELETE CASCADE,
    station_id    VARCHAR(40)   NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    ring          INT           NOT NULL,
    status        VARCHAR(12)   NOT NULL,
    from_version  VARCHAR(64),
    command_id    VARCHAR(26),
    updated_at    BIGINT        NOT NULL,
    detail        VARCHAR(500),
    PRIMARY KEY (rollout_id, station_id)
);
CREATE INDEX update_targets_station ON update_targets (station_id, updated_at);

CREATE TABLE agent_versions (
    station_id   VARCHAR(40)  PRIMARY KEY REFERENCES stations (id) ON DELETE CASCADE,
    version      VARCHAR(64)  NOT NULL,
    reported_at  BIGINT       NOT NULL
);
