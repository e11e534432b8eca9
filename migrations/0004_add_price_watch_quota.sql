CREATE TABLE "price_watch_quota" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"active" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "price_watch_quota" ADD CONSTRAINT "price_watch_quota_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;