-- Audit events are purged by age (PATCHBAY_AUDIT_RETENTION): the purge finds them by created_at.
CREATE INDEX audit_events_created_at_idx ON audit_events (created_at);
