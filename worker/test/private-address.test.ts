import { describe, expect, it } from 'vitest';
import { checkStoreUrl, isLocalHost, parseIPv4, parseIPv6 } from '../lib/store-url';
import { checkWebhookUrl } from '../services/alerts';

/** The hostname exactly as a connector or the webhook sender would see it. */
const hostOf = (url: string) => new URL(url).hostname;

const PRIVATE_URLS = [
  // IPv4 in every spelling the URL parser turns into a dotted quad, and the special blocks.
  'https://127.0.0.1',
  'https://2130706433',
  'https://0x7f.1',
  'https://0177.0.0.1',
  'https://127.1',
  'https://0',
  'https://10.1.2.3',
  'https://172.31.255.255',
  'https://192.168.0.1',
  'https://169.254.169.254',
  'https://100.64.0.1',
  'https://198.18.0.1',
  'https://192.0.0.8',
  'https://224.0.0.1',
  'https://255.255.255.255',
  // IPv6: loopback, unspecified, IPv4-mapped (the parser rewrites it to hex groups), IPv4-compatible, NAT64, 6to4 of a private address.
  'https://[::1]',
  'https://[::]',
  'https://[::ffff:127.0.0.1]',
  'https://[::ffff:7f00:1]',
  'https://[::ffff:a9fe:a9fe]',
  'https://[::7f00:1]',
  'https://[::127.0.0.1]',
  'https://[0:0:0:0:0:ffff:7f00:1]',
  'https://[::ffff:0:7f00:1]',
  'https://[64:ff9b::7f00:1]',
  'https://[64:ff9b::8.8.8.8]',
  'https://[64:ff9b:1::1]',
  'https://[2002:7f00:1::1]',
  'https://[2002:c0a8:101::1]',
  // Site-local, unique-local, link-local, multicast, discard-only, documentation, Teredo.
  'https://[fec0::1]',
  'https://[feff::1]',
  'https://[fc00::1]',
  'https://[fd12:3456::1]',
  'https://[fe80::1]',
  'https://[ff02::1]',
  'https://[100::1]',
  'https://[2001:db8::1]',
  'https://[2001::1]',
  // Names that carry a private address, and names that always resolve to loopback.
  'https://127.0.0.1.nip.io',
  'https://app.10.0.0.1.nip.io',
  'https://10-0-0-1.sslip.io',
  'https://app-192-168-1-20.nip.io',
  'https://app-7f000001.nip.io',
  'https://c0a80001.nip.io',
  'https://--1.sslip.io',
  'https://fe80--1.sslip.io',
  'https://127.0.0.1.nip.io.',
  'https://localtest.me',
  'https://shop.lvh.me',
  'https://localhost',
  'https://printer.local',
  'https://intranet',
];

const PUBLIC_URLS = [
  'https://shop.example.com',
  'https://8.8.8.8',
  'https://1.1.1.1',
  'https://172.32.0.1',
  'https://[2606:4700::1111]',
  'https://[2a00:1450:4001:80b::200e]',
  'https://[2002:808:808::1]',
  'https://8.8.8.8.nip.io',
  'https://app-93-184-216-34.sslip.io',
  'https://my-shop-2024.myshopify.com',
  'https://deadbeef.example.com',
];

describe('private addresses are parsed as addresses (store and webhook URLs)', () => {
  it('parses every IPv4 and IPv6 form', () => {
    expect(parseIPv4('127.0.0.1')).toBe(0x7f000001);
    expect(parseIPv4('0x7f.1')).toBe(0x7f000001);
    expect(parseIPv4('0177.0.0.1')).toBe(0x7f000001);
    expect(parseIPv4('2130706433')).toBe(0x7f000001);
    expect(parseIPv4('127.65535')).toBe(0x7f00ffff);
    expect(parseIPv4('256.0.0.1')).toBeNull();
    expect(parseIPv4('4294967296')).toBeNull();
    expect(parseIPv4('shop.example.com')).toBeNull();
    expect(parseIPv6('::ffff:7f00:1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(parseIPv6('::127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0, 0x7f00, 1]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    for (const bad of ['1:2:3:4:5:6:7', '1::2::3', '12345::', '::ffff:256.0.0.1', 'g::1', '1:2:3:4:5:6:7:8:9']) expect(parseIPv6(bad), bad).toBeNull();
  });

  it.each(PRIVATE_URLS)('refuses %s as a store and as a webhook', (url) => {
    expect(isLocalHost(hostOf(url)), hostOf(url)).toBe(true);
    expect(checkStoreUrl('woocommerce', url, false)).toEqual({ ok: false, msg: 'Store URL must be a public address; local and private hosts are not allowed' });
    expect(checkWebhookUrl(`${url}/hook`, false).ok).toBe(false);
  });

  it.each(PUBLIC_URLS)('accepts %s', (url) => {
    expect(isLocalHost(hostOf(url)), hostOf(url)).toBe(false);
    expect(checkWebhookUrl(`${url}/hook`, false)).toEqual({ ok: true });
  });

  it('still lets dev and tests reach loopback fakes when local stores are allowed, and only loopback for webhooks', () => {
    expect(checkStoreUrl('woocommerce', 'http://127.0.0.1:8080', true)).toMatchObject({ ok: true });
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', true)).toEqual({ ok: true });
    expect(checkWebhookUrl('https://[::ffff:a9fe:a9fe]/hook', true).ok).toBe(false);
  });
});
