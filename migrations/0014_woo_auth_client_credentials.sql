CREATE TABLE "woo_auth_requests" (
	"token" varchar(64) PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"store_url" varchar(500) NOT NULL,
	"used_at" timestamp with time zone,
	"key_digest" varchar(64),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "client_id" varchar(255);--> statement-breakpoint
ALTER TABLE "store_connections" ADD COLUMN "client_secret" varchar(2000);--> statement-breakpoint
ALTER TABLE "woo_auth_requests" ADD CONSTRAINT "woo_auth_requests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "woo_auth_requests_created_at_idx" ON "woo_auth_requests" USING btree ("created_at");