-- A rejected application can be corrected and started again as a draft (same RUT, same record).
ALTER TABLE org_events DROP CONSTRAINT org_events_kind_check;
ALTER TABLE org_events ADD CONSTRAINT org_events_kind_check CHECK (kind IN ('created', 'submitted', 'taken',
    'observed', 'approved', 'rejected', 'renewal_requested', 'renewed', 'renewal_rejected',
    'category_change_requested', 'category_changed', 'category_change_rejected', 'withdrawn',
    'representative_added', 'document_uploaded', 'edited', 'reopened'));
