DROP INDEX "profiles_owner_idx";--> statement-breakpoint
DROP INDEX "identities_last4_idx";--> statement-breakpoint
CREATE INDEX "profiles_owner_idx" ON "profiles" USING btree ("tenant_id","owner_user_id") WHERE owner_user_id is not null;--> statement-breakpoint
CREATE INDEX "identities_last4_idx" ON "identities" USING btree ("tenant_id","last4") WHERE last4 is not null;