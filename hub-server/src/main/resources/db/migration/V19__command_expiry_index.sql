-- The expiry pass (once a second) looks for open commands past their time. Without this index it read every command
-- the hub ever sent: at 15,000 stations, with one credentials.sync each, that scan was the largest allocation on the
-- database threads (bench/RESULTS.md). Open commands are few, so the pass now reads only those.
CREATE INDEX commands_status_expires ON commands (status, expires_at);
