import { ExclamationTriangleIcon, ReloadIcon } from '@radix-ui/react-icons';
import { Button, Card, Flex, Heading, Skeleton, Text } from '@radix-ui/themes';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/errors';

export function ErrorState({ error, onRetry, title = 'Could not load this data' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <Flex role="alert" className="error-panel" gap="3" p="4" align="start" direction={{ initial: 'column', sm: 'row' }}>
      <Flex gap="3" align="start" flexGrow="1">
        <ExclamationTriangleIcon width="18" height="18" style={{ flexShrink: 0, marginTop: 2 }} aria-hidden="true" />
        <div>
          <Text as="p" size="2" weight="bold">
            {title}
          </Text>
          <Text as="p" size="2">
            {errorMessage(error)}
          </Text>
        </div>
      </Flex>
      {onRetry && (
        <Button variant="soft" color="red" onClick={onRetry} style={{ flexShrink: 0 }}>
          <ReloadIcon /> Try again
        </Button>
      )}
    </Flex>
  );
}

export function EmptyState({ icon, title, children, action }: { icon: ReactNode; title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Card size="4">
      <Flex direction="column" align="center" gap="3" py="6" style={{ textAlign: 'center' }}>
        <Flex className="empty-icon" align="center" justify="center" aria-hidden="true">
          {icon}
        </Flex>
        <Heading as="h2" size="4">
          {title}
        </Heading>
        <Text as="p" size="2" color="gray" style={{ maxWidth: 420 }}>
          {children}
        </Text>
        {action && <Flex mt="2">{action}</Flex>}
      </Flex>
    </Card>
  );
}

/** Placeholder rows shaped like the content they stand in for. */
export function SkeletonLines({ lines = 3 }: { lines?: number }) {
  return (
    <Flex direction="column" gap="3" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} height="20px" width={i === lines - 1 ? '60%' : '100%'} />
      ))}
    </Flex>
  );
}

/**
 * What a query shows, in the order every page shows it: `loading` until the first answer, the
 * error panel (with "Try again") when it failed, `empty` when `isEmpty(data)`, else the content.
 * With `keepData`, a refetch that fails after data arrived keeps the data on screen; the caller
 * says it is stale (`query.isError`).
 */
export function QueryState<T>({
  query,
  loading,
  errorTitle,
  onRetry,
  keepData = false,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  loading: ReactNode;
  errorTitle: string;
  /** Instead of refetching only this query. */
  onRetry?: () => void;
  keepData?: boolean;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isError && (!keepData || query.data === undefined)) {
    return <ErrorState title={errorTitle} error={query.error} onRetry={onRetry ?? (() => void query.refetch())} />;
  }
  if (query.isPending) return loading;
  // Neither pending nor (without keepData) failed: the query holds data.
  const data = query.data as T;
  return isEmpty?.(data) ? empty : children(data);
}
