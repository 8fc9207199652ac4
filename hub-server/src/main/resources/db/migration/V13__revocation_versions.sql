-- Versioned revocation lists, so stations can be sent what changed since the version they hold instead of the
-- whole list (a command's args hold 8 KiB: about 390 members).
--
-- revocation_state: one row. version grows by one with every change of a member's status; the UPDATE that raises
-- it holds the row until its transaction commits, so versions become visible in order and a reader that sees
-- version V sees every change up to V. base is the version when this table was made: changes before it carry no
-- version, so a station that holds a version below base gets the full list.
-- members.revocation_version: the version of the member's latest status change (NULL: before base).
-- station_revocations: the latest version each station reported holding (its credentials.sync results).

CREATE TABLE revocation_state (
    id       INT     PRIMARY KEY,
    version  BIGINT  NOT NULL,
    base     BIGINT  NOT NULL
);

INSERT INTO revocation_state (id, version, base)
SELECT 1, COALESCE(MAX(status_changed_at), 0), COALESCE(MAX(status_changed_at), 0) FROM members;

ALTER TABLE members ADD COLUMN revocation_version BIGINT;
CREATE INDEX members_revocation_version ON members (revocation_version);

CREATE TABLE station_revocations (
    station_id   VARCHAR(40)  PRIMARY KEY,
    version      BIGINT       NOT NULL,
    reported_at  BIGINT       NOT NULL
);
