"""Routes of the security layer (docs/security.md): ending an account's sessions, the published audit anchors."""
