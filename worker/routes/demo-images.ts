import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { routeDocs } from '../lib/openapi';
import { demoPicture } from '../services/demo-images';

const doc = routeDocs('products');

/**
 * GET /demo/images/{name}: the demo catalogue's pictures over http (public, no
 * database), so a store receiving a demo import downloads them like any supplier
 * picture. The product data links here when DEMO_IMAGES_ORIGIN is set (`npm run dev`).
 */
export const demoImageRoutes = new Hono<AppEnv>().get(
  '/:name',
  doc({
    summary: 'A demo catalogue picture (SVG)',
    status: 200,
    description: '`image/svg+xml`; only while DEMO_CATALOGUE is on, only names the demo catalogue links to',
    errors: { 404: 'No such demo picture, or the demo catalogue is off' },
  }),
  (c) => {
    const svg = demoPicture(c.env, c.req.param('name'));
    return c.body(svg, 200, {
      'Content-Type': 'image/svg+xml; charset=utf-8',
      'Cache-Control': 'public, max-age=86400, immutable',
      // The picture is a document of its own when opened directly: nothing in it may run.
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
  },
);
