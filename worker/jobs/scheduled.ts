import type { Bindings } from '../env';

/** Cron entry: switches on `controller.cron` as declared in wrangler.toml `[triggers]`. */
export async function scheduled(controller: ScheduledController, _env: Bindings, _ctx: ExecutionContext): Promise<void> {
  switch (controller.cron) {
    default:
      console.log(JSON.stringify({ level: 'info', msg: 'cron tick', cron: controller.cron, scheduled_time: controller.scheduledTime }));
  }
}
