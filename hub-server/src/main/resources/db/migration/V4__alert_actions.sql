-- Operators acknowledge an alert (who, when) and resolve it with a note; resolving an open alert closes it.
ALTER TABLE alerts ADD COLUMN acked_by VARCHAR(64);
ALTER TABLE alerts ADD COLUMN acked_at BIGINT;
ALTER TABLE alerts ADD COLUMN resolved_by VARCHAR(64);
ALTER TABLE alerts ADD COLUMN resolved_at BIGINT;
ALTER TABLE alerts ADD COLUMN resolution_note VARCHAR(500);
