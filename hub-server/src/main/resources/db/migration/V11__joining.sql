-- Joining under a policy (join-policy: open, approval or sms).
--
-- members.status gains 'pending' (waiting for an operator; no pass, no entry) and 'rejected' (ended by an
-- operator). One membership per phone number: members.active_phone holds the phone while the membership is
-- active, suspended or pending and is NULL once it ends (rejected), or for an application whose number another
-- membership holds already (operators see it flagged). A unique index on the nullable column keeps it to one, on
-- H2 and PostgreSQL alike (both let many rows hold NULL). The phone column itself is no longer unique: it is
-- rebuilt without its constraint, whose generated name differs between the engines.
ALTER TABLE members ADD COLUMN phone_number VARCHAR(11);
UPDATE members SET phone_number = phone;
ALTER TABLE members DROP COLUMN phone;
ALTER TABLE members RENAME COLUMN phone_number TO phone;
ALTER TABLE members ALTER COLUMN phone SET NOT NULL;
CREATE INDEX members_phone ON members (phone);

ALTER TABLE members ADD COLUMN active_phone VARCHAR(11);
UPDATE members SET active_phone = phone;
CREATE UNIQUE INDEX members_active_phone ON members (active_phone);

-- One-time codes sent by SMS (join-policy sms): one per phone number at a time, kept only as a salted SHA-256,
-- with what the rider typed on joining, the wrong attempts so far, and the sends in the current hour (resends
-- are limited). A verified code is deleted.
CREATE TABLE join_codes (
    phone         VARCHAR(11)  PRIMARY KEY,
    code_hash     VARCHAR(64)  NOT NULL,
    salt          VARCHAR(32)  NOT NULL,
    name          VARCHAR(50)  NOT NULL,
    occupation    VARCHAR(20)  NOT NULL,
    attempts      INT          NOT NULL,
    expires_at    BIGINT       NOT NULL,
    sent_at       BIGINT       NOT NULL,
    sends         INT          NOT NULL,
    window_start  BIGINT       NOT NULL
);
