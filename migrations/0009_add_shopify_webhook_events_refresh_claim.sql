CREATE TABLE "shopify_webhook_events" (
	"id" varchar(300) PRIMARY KEY NOT NULL,
	"topic" varchar(100) NOT NULL,
	"shop" varchar(255) NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "refresh_claimed_until" timestamp with time zone;