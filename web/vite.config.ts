import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` passes API_ORIGIN when it moves the worker off its standard port.
const apiOrigin = process.env.API_ORIGIN ?? 'http://127.0.0.1:8109';
// With the trailing slash: a bare "/api" prefix would also swallow the /api-keys page.
const proxy = { '/api/': { target: apiOrigin } };

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  server: { port: 3109, strictPort: true, proxy },
  preview: { port: 3109, strictPort: true, proxy },
  build: { outDir: 'dist', emptyOutDir: true },
});
