-- An approved organization's new public identity (legal name, short name) waits for staff review
-- as a review of kind 'identity_change'; the public page, the open data and certificates keep the
-- approved names until it is approved (docs/registry.md, Workflow).
-- (0090 added the pending columns with a request stamp; the review's submitted_at is enough.)
ALTER TABLE organizations DROP COLUMN identity_requested_at;
ALTER TABLE organizations DROP CONSTRAINT organizations_review_kind_check;
ALTER TABLE organizations ADD CONSTRAINT organizations_review_kind_check
    CHECK (review_kind IN ('registration', 'renewal', 'category_change', 'identity_change'));
ALTER TABLE org_events DROP CONSTRAINT org_events_kind_check;
ALTER TABLE org_events ADD CONSTRAINT org_events_kind_check CHECK (kind IN ('created', 'submitted', 'taken',
    'observed', 'approved', 'rejected', 'renewal_requested', 'renewed', 'renewal_rejected',
    'category_change_requested', 'category_changed', 'category_change_rejected', 'withdrawn',
    'representative_added', 'document_uploaded', 'edited', 'reopened',
    'identity_change_requested', 'identity_changed', 'identity_change_rejected'));
