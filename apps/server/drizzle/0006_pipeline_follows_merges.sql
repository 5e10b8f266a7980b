ALTER TABLE "lead_activities" ADD COLUMN "origin_profile_id" uuid;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "origin_profile_id" uuid;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "origin_profile_id" uuid;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "origin_profile_id" uuid;--> statement-breakpoint
-- Hand-written: leads, their activities, tasks and orders remember the profile they were recorded on,
-- whoever inserts them, so an unmerge can send them back with that side's events (a merge moves profile_id).
CREATE OR REPLACE FUNCTION forecourt_profile_origin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.origin_profile_id := coalesce(NEW.origin_profile_id, NEW.profile_id);
  RETURN NEW;
END $$;--> statement-breakpoint
UPDATE "leads" SET "origin_profile_id" = "profile_id" WHERE "origin_profile_id" IS NULL;--> statement-breakpoint
UPDATE "lead_activities" SET "origin_profile_id" = "profile_id" WHERE "origin_profile_id" IS NULL;--> statement-breakpoint
UPDATE "tasks" SET "origin_profile_id" = "profile_id" WHERE "origin_profile_id" IS NULL;--> statement-breakpoint
UPDATE "orders" SET "origin_profile_id" = "profile_id" WHERE "origin_profile_id" IS NULL;--> statement-breakpoint
CREATE TRIGGER leads_origin BEFORE INSERT ON "leads" FOR EACH ROW EXECUTE FUNCTION forecourt_profile_origin();--> statement-breakpoint
CREATE TRIGGER lead_activities_origin BEFORE INSERT ON "lead_activities" FOR EACH ROW EXECUTE FUNCTION forecourt_profile_origin();--> statement-breakpoint
CREATE TRIGGER tasks_origin BEFORE INSERT ON "tasks" FOR EACH ROW EXECUTE FUNCTION forecourt_profile_origin();--> statement-breakpoint
CREATE TRIGGER orders_origin BEFORE INSERT ON "orders" FOR EACH ROW EXECUTE FUNCTION forecourt_profile_origin();
