-- Districts: the district (区/县, or the federation's own grouping) a station belongs to, such as 西湖区. Set when a
-- station is added (by hand or in the CSV import) or later by a technician, shown in the station JSON and the CSV
-- export, and matched by notification routes ("districts"), so that a district manager's group gets that district's
-- alerts and escalations. '' when not set.
ALTER TABLE stations ADD COLUMN district VARCHAR(100) DEFAULT '' NOT NULL;
CREATE INDEX stations_district ON stations (district);
