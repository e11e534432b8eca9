import { queryOptions } from '@tanstack/react-query';
import type { InferResponseType } from 'hono/client';
import { api, unwrap } from './client';

export type Stats = InferResponseType<typeof api.stats.$get, 200>;
export type DailyImports = Stats['daily'][number];

/** The merchant's own figures for the last 30 days (the API's default window). */
export const statsQuery = queryOptions({
  queryKey: ['stats'],
  queryFn: () => unwrap(api.stats.$get({ query: {} })),
  // While imports wait or run, their outcome is what the merchant is watching for.
  refetchInterval: (query) => {
    const s = query.state.data?.imports.by_status;
    return s && s.pending + s.running > 0 ? 10_000 : false;
  },
});
