CREATE TABLE "alert_settings" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"email" varchar(255),
	"email_enabled" boolean DEFAULT false NOT NULL,
	"webhook_url" varchar(2000),
	"webhook_secret" text,
	"webhook_enabled" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_key_usage" (
	"key_id" uuid NOT NULL,
	"day" date NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "api_key_usage_key_id_day_pk" PRIMARY KEY("key_id","day")
);
--> statement-breakpoint
CREATE TABLE "import_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"import_job_id" uuid NOT NULL,
	"action" varchar(50) NOT NULL,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "price_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"watch_id" uuid NOT NULL,
	"kind" varchar(30) NOT NULL,
	"old_price" numeric(12, 2),
	"new_price" numeric(12, 2),
	"change_percent" numeric(8, 2),
	"details" jsonb,
	"delivery" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "price_points" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"watch_id" uuid NOT NULL,
	"price" numeric(12, 2) NOT NULL,
	"currency" varchar(3) NOT NULL,
	"stock" integer,
	"observed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reprice_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"watch_id" uuid NOT NULL,
	"store_id" uuid,
	"store_product_id" varchar(255),
	"old_cost" numeric(12, 2),
	"new_cost" numeric(12, 2),
	"new_price" numeric(12, 2),
	"status" varchar(20) NOT NULL,
	"error" varchar(2000),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "store_products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"store_id" uuid NOT NULL,
	"source" "importsource" NOT NULL,
	"source_product_id" varchar(255) NOT NULL,
	"store_product_id" varchar(255) NOT NULL,
	"variant_map" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"pricing" jsonb,
	"last_job_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stripe_events" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"type" varchar(100) NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "supplier_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" varchar(255) NOT NULL,
	"platform" varchar(100) NOT NULL,
	"credentials" text,
	"credentials_mask" jsonb,
	"settings" jsonb,
	"is_active" boolean DEFAULT true NOT NULL,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "warnings" jsonb;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "price_watches" ADD COLUMN "currency" varchar(3);--> statement-breakpoint
ALTER TABLE "price_watches" ADD COLUMN "last_stock" integer;--> statement-breakpoint
ALTER TABLE "price_watches" ADD COLUMN "last_error" varchar(2000);--> statement-breakpoint
ALTER TABLE "price_watches" ADD COLUMN "next_check_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "price_watches" ADD COLUMN "auto_reprice" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "price_watches" ADD COLUMN "import_job_id" uuid;--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "shop_name" varchar(255);--> statement-breakpoint
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_key_usage" ADD CONSTRAINT "api_key_usage_key_id_api_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_history" ADD CONSTRAINT "import_history_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_history" ADD CONSTRAINT "import_history_import_job_id_import_jobs_id_fk" FOREIGN KEY ("import_job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_alerts" ADD CONSTRAINT "price_alerts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_alerts" ADD CONSTRAINT "price_alerts_watch_id_price_watches_id_fk" FOREIGN KEY ("watch_id") REFERENCES "public"."price_watches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "price_points" ADD CONSTRAINT "price_points_watch_id_price_watches_id_fk" FOREIGN KEY ("watch_id") REFERENCES "public"."price_watches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reprice_events" ADD CONSTRAINT "reprice_events_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reprice_events" ADD CONSTRAINT "reprice_events_watch_id_price_watches_id_fk" FOREIGN KEY ("watch_id") REFERENCES "public"."price_watches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_products" ADD CONSTRAINT "store_products_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "store_products" ADD CONSTRAINT "store_products_store_id_store_connections_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."store_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD CONSTRAINT "supplier_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_history_job_idx" ON "import_history" USING btree ("import_job_id","created_at");--> statement-breakpoint
CREATE INDEX "import_history_user_id_idx" ON "import_history" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "import_history_action_idx" ON "import_history" USING btree ("action");--> statement-breakpoint
CREATE INDEX "price_alerts_user_created_idx" ON "price_alerts" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "price_alerts_watch_idx" ON "price_alerts" USING btree ("watch_id");--> statement-breakpoint
CREATE INDEX "price_points_watch_observed_idx" ON "price_points" USING btree ("watch_id","observed_at");--> statement-breakpoint
CREATE INDEX "reprice_events_watch_idx" ON "reprice_events" USING btree ("watch_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "store_products_store_source_uq" ON "store_products" USING btree ("store_id","source","source_product_id");--> statement-breakpoint
CREATE INDEX "store_products_user_id_idx" ON "store_products" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "supplier_accounts_user_id_idx" ON "supplier_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "supplier_accounts_platform_idx" ON "supplier_accounts" USING btree ("platform");--> statement-breakpoint
CREATE UNIQUE INDEX "supplier_accounts_user_name_platform_uq" ON "supplier_accounts" USING btree ("user_id","name","platform");--> statement-breakpoint
CREATE INDEX "price_watches_due_idx" ON "price_watches" USING btree ("next_check_at") WHERE "price_watches"."is_active";