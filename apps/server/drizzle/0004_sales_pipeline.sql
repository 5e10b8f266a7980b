CREATE TABLE "lead_activities" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"type" text NOT NULL,
	"outcome" text,
	"duration_sec" integer,
	"scheduled_at" timestamp with time zone,
	"status" text,
	"note" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_activities_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "lead_activities" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "lead_assignments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"store_id" uuid,
	"user_id" uuid,
	"rule_id" uuid,
	"reason" text NOT NULL,
	"actor_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_assignments_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "lead_assignments" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "lead_inquiries" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"external_id" text,
	"campaign" text,
	"cost_fen" integer,
	"model" text,
	"comments" text,
	"created_lead" boolean DEFAULT false NOT NULL,
	"raw_enc" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_inquiries_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "lead_inquiries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "lead_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lead_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "lead_stage_changes" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"from_stage" text,
	"to_stage" text NOT NULL,
	"actor_id" uuid,
	"reason" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_stage_changes_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "lead_stage_changes" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "leads" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"intake" text NOT NULL,
	"campaign" text,
	"cost_fen" integer,
	"store_id" uuid,
	"store_path" text,
	"owner_user_id" uuid,
	"customer_name" text,
	"brand" text,
	"series" text,
	"model" text,
	"vehicle_condition" text DEFAULT 'new' NOT NULL,
	"budget_min_fen" integer,
	"budget_max_fen" integer,
	"timeframe" text,
	"trade_in" boolean,
	"financing" boolean,
	"province" text,
	"city" text,
	"preferred_store_id" uuid,
	"comments" text,
	"priority" text DEFAULT 'normal' NOT NULL,
	"stage" text DEFAULT 'new' NOT NULL,
	"stage_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"furthest_stage" text DEFAULT 'new' NOT NULL,
	"lost_reason" text,
	"first_contact_due_at" timestamp with time zone,
	"first_contact_at" timestamp with time zone,
	"sla_state" text DEFAULT 'pending' NOT NULL,
	"sla_reminded_at" timestamp with time zone,
	"sla_breached_at" timestamp with time zone,
	"claim_until" timestamp with time zone,
	"assigned_at" timestamp with time zone,
	"routing_rule_id" uuid,
	"inquiry_count" integer DEFAULT 1 NOT NULL,
	"last_inquiry_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_activity_at" timestamp with time zone DEFAULT now() NOT NULL,
	"raw_enc" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leads_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "leads" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "lost_requests" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"store_path" text,
	"reason" text NOT NULL,
	"note" text,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	CONSTRAINT "lost_requests_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "lost_requests" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "orders" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"store_id" uuid,
	"kind" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"amount_fen" integer,
	"paid_at" timestamp with time zone,
	"refundable_until" date,
	"model" text,
	"trim" text,
	"colour" text,
	"price_fen" integer,
	"discount_fen" integer,
	"extras" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expected_delivery_on" date,
	"vin" text,
	"delivered_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"close_reason" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "orders_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "orders" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "routing_cursors" (
	"tenant_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"last_user_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_cursors_tenant_id_store_id_pk" PRIMARY KEY("tenant_id","store_id")
);
--> statement-breakpoint
ALTER TABLE "routing_cursors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "routing_rules" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"conditions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"store_id" uuid,
	"strategy" text DEFAULT 'round_robin' NOT NULL,
	"claim_timeout_minutes" smallint DEFAULT 10 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_rules_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "routing_rules" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "tasks" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"lead_id" uuid,
	"profile_id" uuid,
	"store_id" uuid,
	"store_path" text,
	"owner_user_id" uuid,
	"type" text NOT NULL,
	"title" text,
	"rule" text,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"done_at" timestamp with time zone,
	"overdue_notified_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "tasks_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "tasks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "user_leave" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"note" text,
	CONSTRAINT "user_leave_tenant_id_id_pk" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "user_leave" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "inbound_log" ADD COLUMN "message_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lead_activities_lead_idx" ON "lead_activities" USING btree ("tenant_id","lead_id","at");--> statement-breakpoint
CREATE INDEX "lead_activities_scheduled_idx" ON "lead_activities" USING btree ("tenant_id","scheduled_at") WHERE type = 'appointment' and status = 'scheduled';--> statement-breakpoint
CREATE INDEX "lead_assignments_lead_idx" ON "lead_assignments" USING btree ("tenant_id","lead_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "lead_inquiries_external_uq" ON "lead_inquiries" USING btree ("tenant_id","source_id","external_id") WHERE external_id is not null;--> statement-breakpoint
CREATE INDEX "lead_inquiries_lead_idx" ON "lead_inquiries" USING btree ("tenant_id","lead_id","at");--> statement-breakpoint
CREATE INDEX "lead_stage_changes_lead_idx" ON "lead_stage_changes" USING btree ("tenant_id","lead_id","at");--> statement-breakpoint
CREATE INDEX "leads_store_idx" ON "leads" USING btree ("tenant_id","store_path" text_pattern_ops,"created_at");--> statement-breakpoint
CREATE INDEX "leads_owner_idx" ON "leads" USING btree ("tenant_id","owner_user_id","stage","created_at");--> statement-breakpoint
CREATE INDEX "leads_profile_idx" ON "leads" USING btree ("tenant_id","profile_id");--> statement-breakpoint
CREATE INDEX "leads_created_idx" ON "leads" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "leads_sla_idx" ON "leads" USING btree ("tenant_id","first_contact_due_at") WHERE sla_state = 'pending';--> statement-breakpoint
CREATE INDEX "leads_claim_idx" ON "leads" USING btree ("tenant_id","claim_until") WHERE claim_until is not null;--> statement-breakpoint
CREATE INDEX "lost_requests_pending_idx" ON "lost_requests" USING btree ("tenant_id","store_path" text_pattern_ops) WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "lost_requests_one_pending_uq" ON "lost_requests" USING btree ("tenant_id","lead_id") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "orders_lead_idx" ON "orders" USING btree ("tenant_id","lead_id");--> statement-breakpoint
CREATE INDEX "tasks_owner_idx" ON "tasks" USING btree ("tenant_id","owner_user_id","status","due_at");--> statement-breakpoint
CREATE INDEX "tasks_store_idx" ON "tasks" USING btree ("tenant_id","store_path" text_pattern_ops,"status","due_at");--> statement-breakpoint
CREATE INDEX "tasks_lead_idx" ON "tasks" USING btree ("tenant_id","lead_id");--> statement-breakpoint
CREATE INDEX "user_leave_user_idx" ON "user_leave" USING btree ("tenant_id","user_id","ends_at");--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lead_activities" AS PERMISSIVE FOR ALL TO public USING ("lead_activities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("lead_activities"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lead_assignments" AS PERMISSIVE FOR ALL TO public USING ("lead_assignments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("lead_assignments"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lead_inquiries" AS PERMISSIVE FOR ALL TO public USING ("lead_inquiries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("lead_inquiries"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lead_settings" AS PERMISSIVE FOR ALL TO public USING ("lead_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("lead_settings"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lead_stage_changes" AS PERMISSIVE FOR ALL TO public USING ("lead_stage_changes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("lead_stage_changes"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "leads" AS PERMISSIVE FOR ALL TO public USING ("leads"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("leads"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "lost_requests" AS PERMISSIVE FOR ALL TO public USING ("lost_requests"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("lost_requests"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "orders" AS PERMISSIVE FOR ALL TO public USING ("orders"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("orders"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "routing_cursors" AS PERMISSIVE FOR ALL TO public USING ("routing_cursors"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("routing_cursors"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "routing_rules" AS PERMISSIVE FOR ALL TO public USING ("routing_rules"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("routing_rules"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "tasks" AS PERMISSIVE FOR ALL TO public USING ("tasks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tasks"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "user_leave" AS PERMISSIVE FOR ALL TO public USING ("user_leave"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("user_leave"."tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- A row holds a whole request's encrypted messages: ciphertext does not compress, so skip the attempt.
ALTER TABLE "inbound_log" ALTER COLUMN "payload_enc" SET STORAGE EXTERNAL;
