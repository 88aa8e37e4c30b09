-- An optional photo per candidacy (issue: "candidates by category (photo optional, bio)"). The file is
-- the portal's own re-encoding (JPEG, at most 600 px, no metadata), never the uploaded bytes.
ALTER TABLE candidates ADD COLUMN photo_file uuid REFERENCES stored_files(id);
