import type { Bindings } from '../env';

/**
 * Queue consumer entry: dispatches on `batch.queue`. Consumers register here as the
 * import pipeline and price sync land; a message no consumer understands is acked
 * and logged, so a poison message cannot loop forever.
 */
export async function queue(batch: MessageBatch<unknown>, _env: Bindings, _ctx: ExecutionContext): Promise<void> {
  for (const message of batch.messages) {
    console.error(JSON.stringify({ level: 'error', msg: 'queue message without consumer', queue: batch.queue, id: message.id }));
    message.ack();
  }
}
