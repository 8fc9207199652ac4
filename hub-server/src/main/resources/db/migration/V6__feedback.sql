-- Rider feedback ("劳动者说") about a station. The rider's browser keeps the ticket id and a random secret to read
-- the answer later; only the secret's SHA-256 is stored. Every item has a deadline: until it is triaged, the one
-- of a normal item (so untouched feedback still turns overdue); triage as urgent or normal sets it again.
CREATE TABLE feedback (
    id           VARCHAR(16)   PRIMARY KEY,
    station_id   VARCHAR(40)   NOT NULL REFERENCES stations (id) ON DELETE CASCADE,
    category     VARCHAR(20)   NOT NULL,
    body         VARCHAR(1000) NOT NULL,
    contact      VARCHAR(100),
    member_id    VARCHAR(26)   REFERENCES members (id) ON DELETE SET NULL,
    secret_hash  VARCHAR(64)   NOT NULL,
    created_at   BIGINT        NOT NULL,
    status       VARCHAR(10)   NOT NULL DEFAULT 'new',
    priority     VARCHAR(10),
    deadline     BIGINT        NOT NULL,
    triaged_by   VARCHAR(64),
    triaged_at   BIGINT,
    answer       VARCHAR(1000),
    answered_by  VARCHAR(64),
    answered_at  BIGINT
);
CREATE INDEX feedback_station_created ON feedback (station_id, created_at);
CREATE INDEX feedback_created ON feedback (created_at);
CREATE INDEX feedback_status_deadline ON feedback (status, deadline);

-- The scorecard counts visits (access.granted) by their time.
CREATE INDEX events_type_ts ON events (type, ts);
