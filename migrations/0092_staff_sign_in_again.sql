-- The staff second factor starts (docs/security.md, Second factor for staff): every staff session
-- opened with a password alone ends, so each staff member signs in again and enrols.
UPDATE users SET auth_version = auth_version + 1
WHERE id IN (SELECT user_id FROM user_roles) AND totp_confirmed_at IS NULL;
