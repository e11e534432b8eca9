import { QueryClient, queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { ApiError } from './errors';
import { session } from './session';

export const meQuery = queryOptions({
  queryKey: ['auth', 'me'],
  queryFn: () => unwrap(api.auth.me.$get()),
});

export const usageQuery = queryOptions({
  queryKey: ['usage'],
  queryFn: () => unwrap(api.usage.$get()),
});

export const apiKeysQuery = queryOptions({
  queryKey: ['api-keys'],
  queryFn: () => unwrap(api['api-keys'].$get()),
});

export function createQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx will not change on retry; only flaky networks and 5xx deserve another go.
        retry: (failures, error) => failures < 2 && (!(error instanceof ApiError) || error.status === 0 || error.status >= 500),
      },
    },
  });
}

/** Cached data belongs to one user: drop it whenever the session changes hands. */
export function clearCacheOnSessionChange(queryClient: QueryClient): () => void {
  let signedIn = session.isSignedIn();
  return session.subscribe(() => {
    const now = session.isSignedIn();
    if (now !== signedIn) queryClient.clear();
    signedIn = now;
  });
}
