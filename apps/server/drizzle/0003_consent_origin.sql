ALTER TABLE "consents" ADD COLUMN "origin_profile_id" uuid;--> statement-breakpoint
-- Hand-written: every consent remembers the profile it was recorded on, whoever inserts it, so an unmerge
-- can send it back with the events of that side (a merge only moves profile_id).
UPDATE "consents" SET "origin_profile_id" = "profile_id" WHERE "origin_profile_id" IS NULL;--> statement-breakpoint
CREATE OR REPLACE FUNCTION forecourt_consent_origin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.origin_profile_id := coalesce(NEW.origin_profile_id, NEW.profile_id);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER consents_origin BEFORE INSERT ON "consents" FOR EACH ROW EXECUTE FUNCTION forecourt_consent_origin();
