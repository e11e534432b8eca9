import { startFakeStripe } from './stripe';
import { startAliExpressFake } from './aliexpress';
import { startCjFake } from './cj';
import { startLlmGatewayFake } from './llm-gateway';
import { startFakeShopify } from './shopify';
import { startFakeWooCommerce } from './woocommerce';
import { startAlertsFake } from './alerts';

/**
 * Fake third-party servers (Node, 127.0.0.1, free ports) that the worker tests talk to
 * over real HTTP. Each fake checks what it receives the way the real API would and
 * exposes its state on /__control/* for assertions. Its base URL reaches the worker as a
 * binding (see vitest.config.ts), and tests read the same binding to talk to it.
 */
export interface StartedFake {
  /** Worker bindings that point the app (and the tests) at this fake. */
  bindings: Record<string, string>;
  stop(): Promise<void>;
}

type FakeStarter = () => Promise<StartedFake>;

/** Every fake the suite needs; each area adds its own starter here. */
const starters: FakeStarter[] = [startFakeStripe, startAliExpressFake, startCjFake, startLlmGatewayFake, startFakeShopify, startFakeWooCommerce, startAlertsFake];

export async function startFakes(): Promise<StartedFake> {
  const started = await Promise.all(starters.map((start) => start()));
  return {
    bindings: Object.assign({}, ...started.map((s) => s.bindings)),
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
