-- Logins that can be ended.
--
-- users.token_version: every staff token carries the version of its user at issue; a password change, disabling
-- the user or changing its role raises the version, which ends every token issued before, on every hub.
-- revoked_staff_tokens: tokens ended one by one (logout), by their id, kept until the token would have expired.
-- member_tokens: a member's tokens, one per phone, kept only as their SHA-256, each with its expiry; a member may
-- hold several (a new phone) and end them (a lost phone), and suspension deletes them all. The single token of
-- each member so far moves here and expires 180 days from this migration (the default member-token-days).

ALTER TABLE users ADD COLUMN token_version INT NOT NULL DEFAULT 0;

CREATE TABLE revoked_staff_tokens (
    jti         VARCHAR(40)  PRIMARY KEY,
    expires_at  BIGINT       NOT NULL
);
CREATE INDEX revoked_staff_tokens_expiry ON revoked_staff_tokens (expires_at);

CREATE TABLE member_tokens (
    token_hash  VARCHAR(64)  PRIMARY KEY,
    member_id   VARCHAR(26)  NOT NULL REFERENCES members (id),
    issued_at   BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
CREATE INDEX member_tokens_member ON member_tokens (member_id);

INSERT INTO member_tokens (token_hash, member_id, issued_at, expires_at)
SELECT token_hash, id, created_at,
       CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT) + 15552000000
FROM members WHERE status = 'active';

ALTER TABLE members DROP COLUMN token_hash;
