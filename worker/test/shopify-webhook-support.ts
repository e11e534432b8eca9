import { env } from 'cloudflare:workers';
import { hmacSha256, toBase64 } from '../lib/encoding';

const SECRET = (env as unknown as { SHOPIFY_API_SECRET: string }).SHOPIFY_API_SECRET;

/** Shopify's X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body, keyed with the app secret the worker has in tests. */
export const signShopifyBody = async (body: string, secret = SECRET) => toBase64(new Uint8Array(await hmacSha256(secret, body)));

export interface ShopifyDeliveryInput {
  topic: string;
  shop: string;
  body?: unknown;
  webhookId?: string;
  eventId?: string;
}

/** Shopify's delivery headers; `hmac: null` leaves the signature out. */
export function shopifyDeliveryHeaders(d: ShopifyDeliveryInput, hmac: string | null): Record<string, string> {
  return {
    'X-Shopify-Topic': d.topic,
    'X-Shopify-Shop-Domain': d.shop,
    'X-Shopify-API-Version': '2026-10',
    'X-Shopify-Webhook-Id': d.webhookId ?? crypto.randomUUID(),
    'X-Shopify-Event-Id': d.eventId ?? crypto.randomUUID(),
    'X-Shopify-Triggered-At': new Date().toISOString(),
    ...(hmac === null ? {} : { 'X-Shopify-Hmac-Sha256': hmac }),
  };
}

/** A delivery as Shopify sends it: the raw body and its signed headers. */
export async function signedShopifyDelivery(d: ShopifyDeliveryInput) {
  const rawBody = JSON.stringify(d.body ?? { shop_domain: d.shop });
  return { rawBody, headers: shopifyDeliveryHeaders(d, await signShopifyBody(rawBody)) };
}
