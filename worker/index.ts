import app from './app';
import type { Bindings } from './env';
import { queue, type QueueMessage } from './jobs/queue';
import { scheduled } from './jobs/scheduled';

export default { fetch: app.fetch, queue, scheduled } satisfies ExportedHandler<Bindings, QueueMessage>;
