CREATE INDEX "api_key_usage_day_idx" ON "api_key_usage" USING btree ("day");--> statement-breakpoint
CREATE INDEX "import_jobs_created_status_idx" ON "import_jobs" USING btree ("created_at","status","finished_at");--> statement-breakpoint
CREATE INDEX "price_alerts_kind_created_idx" ON "price_alerts" USING btree ("kind","created_at");--> statement-breakpoint
CREATE INDEX "price_points_observed_idx" ON "price_points" USING btree ("observed_at");--> statement-breakpoint
CREATE INDEX "users_created_at_idx" ON "users" USING btree ("created_at");