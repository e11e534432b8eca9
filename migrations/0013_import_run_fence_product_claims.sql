CREATE TABLE "store_product_claims" (
	"store_id" uuid NOT NULL,
	"source" "importsource" NOT NULL,
	"source_product_id" varchar(255) NOT NULL,
	"job_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"claimed_until" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "store_product_claims_store_id_source_source_product_id_pk" PRIMARY KEY("store_id","source","source_product_id")
);
--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "run_id" uuid;--> statement-breakpoint
ALTER TABLE "import_jobs" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "store_products" ADD COLUMN "currency" varchar(3);--> statement-breakpoint
ALTER TABLE "store_product_claims" ADD CONSTRAINT "store_product_claims_store_id_store_connections_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."store_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "store_product_claims_run_idx" ON "store_product_claims" USING btree ("run_id");