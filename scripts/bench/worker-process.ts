/**
 * The bench's worker, started through Wrangler's programmatic API instead of the
 * `wrangler dev` CLI so that the DevTools inspector can be turned off: the CLI's inspector
 * proxy relays every runtime DevTools message (the bodies of the worker's outbound
 * fetches included) to Wrangler's Node process, a cost Cloudflare does not have and one
 * that falls on the HTTP database driver's fetches but not on WebSocket frames.
 *
 *   tsx scripts/bench/worker-process.ts <wrangler.toml> <port> <persist dir> <vars JSON>
 *
 * Prints "ready <url>" once serving; stops on SIGTERM.
 */
import { unstable_startWorker } from 'wrangler';

const [config, port, persist, varsJson] = process.argv.slice(2);
const vars = JSON.parse(varsJson ?? '{}') as Record<string, string>;

const worker = await unstable_startWorker({
  config,
  bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: 'plain_text' as const, value }])),
  dev: {
    server: { hostname: '127.0.0.1', port: Number(port) },
    inspector: false,
    persist,
    watch: false,
    logLevel: (process.env.BENCH_LOG_LEVEL as 'log' | undefined) ?? 'log',
  },
});
await worker.ready;
console.log(`ready ${String(await worker.url)}`);

const stop = async () => {
  await worker.dispose().catch(() => undefined);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
