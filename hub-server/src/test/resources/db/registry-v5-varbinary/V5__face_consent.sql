-- Face access consent, given apart from joining: when it was given (with the version of the consent text the
-- member was shown), whether templates may be synced beyond the station where they were enrolled, and when it
-- was withdrawn. changed_at orders the states sent to stations (face.consent / face.delete "version").
CREATE TABLE face_consents (
    member_id     VARCHAR(26)  PRIMARY KEY REFERENCES members (id),
    given_at      BIGINT       NOT NULL,
    withdrawn_at  BIGINT,
    sync_allowed  BOOLEAN      NOT NULL DEFAULT FALSE,
    text_version  VARCHAR(20)  NOT NULL,
    changed_at    BIGINT       NOT NULL
);

-- Templates a station sent because the member allows sync, passed on to the other stations with face.sync.
-- Deleted when the member denies sync or withdraws consent.
CREATE TABLE face_templates (
    id          VARCHAR(26)     PRIMARY KEY,
    member_id   VARCHAR(26)     NOT NULL REFERENCES members (id),
    station_id  VARCHAR(40)     NOT NULL,
    dims        INT             NOT NULL,
    template    VARBINARY(4096) NOT NULL,
    created_at  BIGINT          NOT NULL
);
CREATE INDEX face_templates_member ON face_templates (member_id);
