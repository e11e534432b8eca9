CREATE TABLE "shopify_pending_installs" (
	"code_hash" varchar(64) PRIMARY KEY NOT NULL,
	"shop_origin" varchar(500) NOT NULL,
	"tokens" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shopify_shop_accounts" (
	"shop_origin" varchar(500) PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "shopify_shop_accounts_user_id_unique" UNIQUE("user_id")
);
--> statement-breakpoint
ALTER TABLE "shopify_oauth_states" ALTER COLUMN "user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "shopify_shop_accounts" ADD CONSTRAINT "shopify_shop_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "shopify_pending_installs_created_at_idx" ON "shopify_pending_installs" USING btree ("created_at");