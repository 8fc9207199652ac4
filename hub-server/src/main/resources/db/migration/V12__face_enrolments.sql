-- Which station enrolled which member's face, and when: recorded from the station's face.enrolled event, or from
-- the same proof its template upload carries, whichever comes first. A station may upload a template only for a
-- member it enrolled itself. pass_ref (key id, slot and nonce of the rider pass the member showed to enrol) is
-- unique: one pass enrols at one station, once. Deleted with the member's templates when consent is withdrawn.
CREATE TABLE face_enrolments (
    id           VARCHAR(26)  PRIMARY KEY,
    member_id    VARCHAR(26)  NOT NULL REFERENCES members (id),
    station_id   VARCHAR(40)  NOT NULL,
    enrolled_at  BIGINT       NOT NULL,
    recorded_at  BIGINT       NOT NULL,
    pass_ref     VARCHAR(64)  NOT NULL UNIQUE
);
CREATE INDEX face_enrolments_member_station ON face_enrolments (member_id, station_id);

-- Templates at rest are sealed (AES-256-GCM under the hub's face template key, a file outside the database) in
-- sealed, with the fingerprint of the key in key_id. Rows made before hold the plaintext in template until the hub
-- seals them at its next start, which empties template.
ALTER TABLE face_templates ADD COLUMN sealed BYTEA;
ALTER TABLE face_templates ADD COLUMN key_id VARCHAR(16);
ALTER TABLE face_templates ALTER COLUMN template DROP NOT NULL;
