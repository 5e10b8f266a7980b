CREATE TABLE "cdp_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cdp_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "consents" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"channel" text NOT NULL,
	"granted" boolean NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"source_id" uuid,
	"actor_id" uuid,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consents_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "consents" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "events" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"profile_id" uuid NOT NULL,
	"origin_profile_id" uuid NOT NULL,
	"source_id" uuid,
	"message_id" text NOT NULL,
	"type" text NOT NULL,
	"name" text,
	"original_timestamp" timestamp with time zone,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"context" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "events_tenant_id_id_timestamp_pk" PRIMARY KEY("tenant_id","id","timestamp")
) PARTITION BY RANGE ("timestamp");
--> statement-breakpoint
ALTER TABLE "events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "profile_units" (
	"tenant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"path" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_units_tenant_id_profile_id_org_unit_id_pk" PRIMARY KEY("tenant_id","profile_id","org_unit_id")
);
--> statement-breakpoint
ALTER TABLE "profile_units" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "profile_vehicles" (
	"tenant_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"vin" text NOT NULL,
	"source_id" uuid,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_vehicles_tenant_id_profile_id_vin_pk" PRIMARY KEY("tenant_id","profile_id","vin")
);
--> statement-breakpoint
ALTER TABLE "profile_vehicles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "profiles" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"merged_into" uuid,
	"name" text,
	"name_pinyin" text,
	"name_initials" text,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trait_sources" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"lifecycle_stage" text DEFAULT 'prospect' NOT NULL,
	"owner_org_unit_id" uuid,
	"owner_user_id" uuid,
	"city" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "profiles_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "profiles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "saved_views" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"page" text NOT NULL,
	"name" text NOT NULL,
	"filters" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "saved_views_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "saved_views" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "duplicate_pairs" (
	"tenant_id" uuid NOT NULL,
	"profile_a" uuid NOT NULL,
	"profile_b" uuid NOT NULL,
	"score" real NOT NULL,
	"reasons" text[] NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "duplicate_pairs_tenant_id_profile_a_profile_b_pk" PRIMARY KEY("tenant_id","profile_a","profile_b")
);
--> statement-breakpoint
ALTER TABLE "duplicate_pairs" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "identities" (
	"tenant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"key" text NOT NULL,
	"profile_id" uuid NOT NULL,
	"origin_profile_id" uuid NOT NULL,
	"value_enc" text NOT NULL,
	"masked" text NOT NULL,
	"last4" text,
	"source_id" uuid,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identities_tenant_id_type_key_pk" PRIMARY KEY("tenant_id","type","key")
);
--> statement-breakpoint
ALTER TABLE "identities" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "identity_reviews" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"identity_type" text NOT NULL,
	"identity_key" text NOT NULL,
	"masked" text NOT NULL,
	"profile_ids" uuid[] NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identity_reviews_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "identity_reviews" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "merges" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"survivor_id" uuid NOT NULL,
	"absorbed_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text NOT NULL,
	"actor_id" uuid,
	"snapshot" jsonb NOT NULL,
	"unmerged_at" timestamp with time zone,
	"unmerged_by" uuid,
	CONSTRAINT "merges_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "merges" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "profile_blocking_keys" (
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"profile_id" uuid NOT NULL,
	CONSTRAINT "profile_blocking_keys_tenant_id_key_profile_id_pk" PRIMARY KEY("tenant_id","key","profile_id")
);
--> statement-breakpoint
ALTER TABLE "profile_blocking_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "shared_identities" (
	"tenant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"key" text NOT NULL,
	"masked" text NOT NULL,
	"conflicts" integer DEFAULT 0 NOT NULL,
	"blocked" boolean DEFAULT false NOT NULL,
	"reason" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shared_identities_tenant_id_type_key_pk" PRIMARY KEY("tenant_id","type","key")
);
--> statement-breakpoint
ALTER TABLE "shared_identities" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "import_errors" (
	"tenant_id" uuid NOT NULL,
	"import_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"errors" jsonb NOT NULL,
	CONSTRAINT "import_errors_tenant_id_import_id_line_pk" PRIMARY KEY("tenant_id","import_id","line")
);
--> statement-breakpoint
ALTER TABLE "import_errors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "imports" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"format" text NOT NULL,
	"file_path" text NOT NULL,
	"headers" text[] DEFAULT '{}'::text[] NOT NULL,
	"mapping" jsonb,
	"dry_run" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'uploaded' NOT NULL,
	"total_rows" bigint,
	"processed_rows" bigint DEFAULT 0 NOT NULL,
	"ok_rows" bigint DEFAULT 0 NOT NULL,
	"error_rows" bigint DEFAULT 0 NOT NULL,
	"duplicate_rows" bigint DEFAULT 0 NOT NULL,
	"failure" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "imports_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "imports" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "inbound_log" (
	"tenant_id" uuid NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "inbound_log_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"source_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"payload_enc" text NOT NULL,
	CONSTRAINT "inbound_log_tenant_id_seq_pk" PRIMARY KEY("tenant_id","seq")
);
--> statement-breakpoint
ALTER TABLE "inbound_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "message_ids" (
	"tenant_id" uuid NOT NULL,
	"message_id" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "message_ids_tenant_id_message_id_pk" PRIMARY KEY("tenant_id","message_id")
);
--> statement-breakpoint
ALTER TABLE "message_ids" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "rejected_messages" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reason" text NOT NULL,
	"message" text NOT NULL,
	"payload" jsonb,
	CONSTRAINT "rejected_messages_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "rejected_messages" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "source_counters" (
	"tenant_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"counter" text NOT NULL,
	"value" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "source_counters_tenant_id_source_id_counter_pk" PRIMARY KEY("tenant_id","source_id","counter")
);
--> statement-breakpoint
ALTER TABLE "source_counters" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "source_keys" (
	"key_hash" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "source_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sources" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"org_unit_id" uuid,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "sources_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "sources" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "profiles" ADD CONSTRAINT "profiles_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_keys" ADD CONSTRAINT "source_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_profile_idx" ON "consents" USING btree ("tenant_id","profile_id","purpose","channel","at");--> statement-breakpoint
CREATE INDEX "events_profile_idx" ON "events" USING btree ("tenant_id","profile_id","timestamp","id");--> statement-breakpoint
CREATE INDEX "events_origin_idx" ON "events" USING btree ("tenant_id","origin_profile_id");--> statement-breakpoint
CREATE INDEX "events_source_idx" ON "events" USING btree ("tenant_id","source_id","received_at");--> statement-breakpoint
CREATE INDEX "profile_units_path_idx" ON "profile_units" USING btree ("tenant_id","path" text_pattern_ops,"profile_id");--> statement-breakpoint
CREATE INDEX "profile_vehicles_vin_idx" ON "profile_vehicles" USING btree ("tenant_id","vin");--> statement-breakpoint
CREATE INDEX "profiles_updated_idx" ON "profiles" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "profiles_name_idx" ON "profiles" USING btree ("tenant_id","name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "profiles_pinyin_idx" ON "profiles" USING btree ("tenant_id","name_pinyin" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "profiles_initials_idx" ON "profiles" USING btree ("tenant_id","name_initials");--> statement-breakpoint
CREATE INDEX "profiles_owner_idx" ON "profiles" USING btree ("tenant_id","owner_user_id");--> statement-breakpoint
CREATE INDEX "saved_views_user_idx" ON "saved_views" USING btree ("tenant_id","user_id","page");--> statement-breakpoint
CREATE INDEX "duplicate_pairs_open_idx" ON "duplicate_pairs" USING btree ("tenant_id","status","score");--> statement-breakpoint
CREATE INDEX "identities_profile_idx" ON "identities" USING btree ("tenant_id","profile_id");--> statement-breakpoint
CREATE INDEX "identities_last4_idx" ON "identities" USING btree ("tenant_id","last4");--> statement-breakpoint
CREATE INDEX "identity_reviews_open_idx" ON "identity_reviews" USING btree ("tenant_id","status","created_at");--> statement-breakpoint
CREATE INDEX "merges_survivor_idx" ON "merges" USING btree ("tenant_id","survivor_id");--> statement-breakpoint
CREATE INDEX "merges_absorbed_idx" ON "merges" USING btree ("tenant_id","absorbed_id");--> statement-breakpoint
CREATE INDEX "profile_blocking_keys_profile_idx" ON "profile_blocking_keys" USING btree ("tenant_id","profile_id");--> statement-breakpoint
CREATE INDEX "imports_created_idx" ON "imports" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "inbound_log_seq_idx" ON "inbound_log" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "rejected_messages_source_idx" ON "rejected_messages" USING btree ("tenant_id","source_id","received_at");--> statement-breakpoint
CREATE INDEX "source_keys_source_idx" ON "source_keys" USING btree ("tenant_id","source_id");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "cdp_settings" AS PERMISSIVE FOR ALL TO public USING ("cdp_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("cdp_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "consents" AS PERMISSIVE FOR ALL TO public USING ("consents"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("consents"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "events" AS PERMISSIVE FOR ALL TO public USING ("events"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("events"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "profile_units" AS PERMISSIVE FOR ALL TO public USING ("profile_units"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("profile_units"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "profile_vehicles" AS PERMISSIVE FOR ALL TO public USING ("profile_vehicles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("profile_vehicles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "profiles" AS PERMISSIVE FOR ALL TO public USING ("profiles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("profiles"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "saved_views" AS PERMISSIVE FOR ALL TO public USING ("saved_views"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("saved_views"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "duplicate_pairs" AS PERMISSIVE FOR ALL TO public USING ("duplicate_pairs"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("duplicate_pairs"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "identities" AS PERMISSIVE FOR ALL TO public USING ("identities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("identities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "identity_reviews" AS PERMISSIVE FOR ALL TO public USING ("identity_reviews"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("identity_reviews"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "merges" AS PERMISSIVE FOR ALL TO public USING ("merges"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("merges"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "profile_blocking_keys" AS PERMISSIVE FOR ALL TO public USING ("profile_blocking_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("profile_blocking_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "shared_identities" AS PERMISSIVE FOR ALL TO public USING ("shared_identities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("shared_identities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "import_errors" AS PERMISSIVE FOR ALL TO public USING ("import_errors"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("import_errors"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "imports" AS PERMISSIVE FOR ALL TO public USING ("imports"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("imports"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "inbound_log" AS PERMISSIVE FOR ALL TO public USING ("inbound_log"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("inbound_log"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "message_ids" AS PERMISSIVE FOR ALL TO public USING ("message_ids"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("message_ids"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "rejected_messages" AS PERMISSIVE FOR ALL TO public USING ("rejected_messages"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("rejected_messages"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "source_counters" AS PERMISSIVE FOR ALL TO public USING ("source_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("source_counters"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "source_keys" AS PERMISSIVE FOR ALL TO public USING ("source_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("source_keys"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "sources" AS PERMISSIVE FOR ALL TO public USING ("sources"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("sources"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- Hand-written below this line (drizzle-kit does not model partitions).
-- Events older or newer than the monthly partitions land in the default partition.
CREATE TABLE "events_default" PARTITION OF "events" DEFAULT;--> statement-breakpoint
REVOKE ALL ON "events_default" FROM forecourt_app;--> statement-breakpoint
-- Creates the monthly partition that holds `month` unless it exists. It skips a month whose rows
-- already sit in the default partition (attaching it would fail); they stay readable there.
CREATE OR REPLACE FUNCTION forecourt_ensure_event_partition(month date) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  first date := date_trunc('month', month)::date;
  name text := 'events_' || to_char(first, 'YYYY_MM');
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN false; END IF;
  IF EXISTS (SELECT 1 FROM events_default WHERE "timestamp" >= first AND "timestamp" < (first + interval '1 month')) THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name, first, (first + interval '1 month')::date);
  -- Reached only through the parent, where row-level security applies.
  EXECUTE format('REVOKE ALL ON %I FROM forecourt_app', name);
  RETURN true;
END
$$;--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO forecourt_app;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO forecourt_app;
