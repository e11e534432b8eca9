CREATE TABLE "shopify_oauth_states" (
	"state" varchar(64) PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"shop_origin" varchar(500) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "auth_type" varchar(20) DEFAULT 'token' NOT NULL;--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "status" varchar(20) DEFAULT 'connected' NOT NULL;--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "scopes" text[];--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "status_detail" varchar(500);--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "refresh_token" varchar(2000);--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "refresh_token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "token_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "shopify_oauth_states" ADD CONSTRAINT "shopify_oauth_states_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shopify_oauth_states_created_at_idx" ON "shopify_oauth_states" USING btree ("created_at");--> statement-breakpoint
UPDATE "store_connections" SET "auth_type" = 'keys' WHERE "platform" = 'woocommerce';
