CREATE TABLE "import_list_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"import_job_id" uuid NOT NULL,
	"store_id" uuid,
	"source" "importsource" NOT NULL,
	"source_product_id" varchar(255) NOT NULL,
	"source_url" varchar(2000),
	"title" varchar(255) NOT NULL,
	"supplier_data" jsonb NOT NULL,
	"product" jsonb NOT NULL,
	"edited_fields" text[] DEFAULT '{}' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"pushed_at" timestamp with time zone,
	"pushed_store_id" uuid,
	"store_product_id" varchar(255),
	"supplier_changed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "import_review" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "import_list_items" ADD CONSTRAINT "import_list_items_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_list_items" ADD CONSTRAINT "import_list_items_import_job_id_import_jobs_id_fk" FOREIGN KEY ("import_job_id") REFERENCES "public"."import_jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_list_items" ADD CONSTRAINT "import_list_items_store_id_store_connections_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."store_connections"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "import_list_items_job_uq" ON "import_list_items" USING btree ("import_job_id");--> statement-breakpoint
CREATE INDEX "import_list_items_user_created_idx" ON "import_list_items" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "import_list_items_source_product_idx" ON "import_list_items" USING btree ("source","source_product_id");--> statement-breakpoint
-- Data migration (#17): jobs that completed without a store ("Draft · no store") become import list items.
INSERT INTO "import_list_items" ("user_id", "import_job_id", "store_id", "source", "source_product_id", "source_url", "title", "supplier_data", "product", "created_at", "updated_at")
SELECT j."user_id", j."id", NULL, j."source",
       COALESCE(j."product_data"->>'source_product_id', j."source_product_id", 'unknown'),
       j."source_url", left(COALESCE(j."product_data"->>'title', 'Untitled product'), 255),
       j."product_data", j."product_data", j."created_at", COALESCE(j."finished_at", j."updated_at")
FROM "import_jobs" j
WHERE j."status" = 'completed' AND j."created_product_id" IS NULL AND j."store_id" IS NULL
  AND j."product_data" IS NOT NULL AND jsonb_typeof(j."product_data"->'variants') = 'array'
ON CONFLICT ("import_job_id") DO NOTHING;
