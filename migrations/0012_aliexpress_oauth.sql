CREATE TABLE "aliexpress_oauth_states" (
	"state" varchar(64) PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"account_name" varchar(255),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "auth_type" varchar(20) DEFAULT 'pasted' NOT NULL;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "status" varchar(20) DEFAULT 'connected' NOT NULL;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "status_detail" varchar(500);--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "refresh_token_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "token_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "refresh_claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "supplier_accounts" ADD COLUMN "reauth_alerted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "aliexpress_oauth_states" ADD CONSTRAINT "aliexpress_oauth_states_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "aliexpress_oauth_states_created_at_idx" ON "aliexpress_oauth_states" USING btree ("created_at");