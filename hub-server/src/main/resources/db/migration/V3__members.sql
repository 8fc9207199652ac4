-- Union members (riders). A member is named in events, passes and revocation lists only by a random
-- pseudonym, never by the phone number. The member token is a random bearer token kept only as its SHA-256.
CREATE TABLE members (
    id                 VARCHAR(26)  PRIMARY KEY,
    pseudonym          VARCHAR(20)  NOT NULL UNIQUE,
    name               VARCHAR(50)  NOT NULL,
    phone              VARCHAR(11)  NOT NULL UNIQUE,
    occupation         VARCHAR(20)  NOT NULL,
    status             VARCHAR(10)  NOT NULL DEFAULT 'active',
    status_changed_at  BIGINT       NOT NULL,
    created_at         BIGINT       NOT NULL,
    created_by         VARCHAR(64),
    token_hash         VARCHAR(64)  NOT NULL UNIQUE
);
CREATE INDEX members_status ON members (status, status_changed_at);
