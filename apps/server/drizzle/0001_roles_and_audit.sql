-- The unprivileged role that tenant-scoped transactions switch to (SET LOCAL ROLE), so row-level
-- security applies even when the connecting user owns the tables. Roles are cluster-wide: create once.
DO $$
BEGIN
  CREATE ROLE forecourt_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;--> statement-breakpoint
-- The connecting user must be able to SET ROLE to it (superusers already can).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'forecourt_app', 'MEMBER') THEN
    EXECUTE format('GRANT forecourt_app TO %I', current_user);
  END IF;
EXCEPTION WHEN unique_violation THEN NULL;
END
$$;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO forecourt_app;--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO forecourt_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO forecourt_app;--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "audit_log" FROM forecourt_app;--> statement-breakpoint
CREATE OR REPLACE FUNCTION forecourt_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION forecourt_audit_append_only();
