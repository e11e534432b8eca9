ALTER TABLE "alert_settings" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alert_settings" ADD COLUMN "email_confirm_hash" varchar(64);--> statement-breakpoint
ALTER TABLE "alert_settings" ADD COLUMN "email_confirm_sent_at" timestamp with time zone;