-- The council's technical secretariat: a staff role (docs/council.md, Who does what).
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check
  CHECK (role IN ('reviewer', 'election_officer', 'ministro_de_fe', 'sello_evaluator', 'compromiso_evaluator',
                  'council_secretary', 'admin'));
