-- What every hub replica on one registry must share, so that any of them can serve any request.
--
-- hub_secrets: the token signing key and the scan-to-enter secret, created once (insert-if-absent: when two hubs
-- start at once on an empty registry, one insert wins and both read the winner back). Values are base64 text.
-- pass_keys: the Ed25519 keys that sign rider passes. A key signs from active_from on; the newest active one
-- signs, older ones stay published to stations until a week after a newer key became active, then are dropped.
-- hub_leases: a named lease one hub holds until expires_at (epoch ms), such as the presence silence sweep.
-- stations.presence_reason: why a station is offline (lost, shutdown, silent), so every hub shows the same.

CREATE TABLE hub_secrets (
    name        VARCHAR(40)   PRIMARY KEY,
    secret      VARCHAR(1024) NOT NULL,
    created_at  BIGINT        NOT NULL
);

CREATE TABLE pass_keys (
    kid          INT           PRIMARY KEY,
    public_key   VARCHAR(100)  NOT NULL,
    private_key  VARCHAR(1024) NOT NULL,
    created_at   BIGINT        NOT NULL,
    active_from  BIGINT        NOT NULL
);

CREATE TABLE hub_leases (
    name        VARCHAR(40)  PRIMARY KEY,
    holder      VARCHAR(64)  NOT NULL,
    expires_at  BIGINT       NOT NULL
);

ALTER TABLE stations ADD COLUMN presence_reason VARCHAR(20);
