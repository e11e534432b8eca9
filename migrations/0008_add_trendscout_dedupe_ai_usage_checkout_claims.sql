CREATE TABLE "ai_call_usage" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"calls" integer NOT NULL,
	CONSTRAINT "ai_call_usage_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "checkout_claims" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"session_id" varchar(255),
	"locked_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "dedupe_key" varchar(2000);--> statement-breakpoint
ALTER TABLE "ai_call_usage" ADD CONSTRAINT "ai_call_usage_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkout_claims" ADD CONSTRAINT "checkout_claims_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "import_jobs_active_dedupe_uq" ON "import_jobs" USING btree ("user_id","dedupe_key") WHERE "import_jobs"."dedupe_key" IS NOT NULL AND "import_jobs"."status" IN ('pending', 'running');