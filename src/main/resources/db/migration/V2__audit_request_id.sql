-- The X-Request-Id of the request behind each audit event, to match audit rows with logs.
alter table audit_event add column request_id varchar(64);
