import { Box, Grid } from '@radix-ui/themes';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { LoadingCards } from '../LoadingCards';
import { PageHeader } from '../PageHeader';
import { EmptyState, QueryState } from '../States';

interface AccountsPageProps<T extends { id: string }> {
  title: string;
  description: string;
  query: UseQueryResult<{ items: T[] }>;
  /** The add dialog; `label` names its button (the empty state invites the first one). */
  addDialog: (label?: string) => ReactNode;
  loading: { label: string; lines: { width: string; height: string }[] };
  errorTitle: string;
  empty: { icon: ReactNode; title: string; addLabel: string; text: ReactNode };
  listLabel: string;
  /** One card; `items` is the whole list, for cards whose actions depend on the others. */
  card: (item: T, items: T[]) => ReactNode;
}

/** A page of connected accounts (stores, supplier accounts): header with the add button, then their cards. */
export function AccountsPage<T extends { id: string }>({ title, description, query, addDialog, loading, errorTitle, empty, listLabel, card }: AccountsPageProps<T>) {
  const items = query.data?.items ?? [];
  return (
    <>
      <PageHeader title={title} description={description} actions={items.length > 0 ? addDialog() : undefined} />
      <QueryState
        query={query}
        loading={<LoadingCards label={loading.label} lines={loading.lines} />}
        errorTitle={errorTitle}
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState icon={empty.icon} title={empty.title} action={addDialog(empty.addLabel)}>
            {empty.text}
          </EmptyState>
        }
      >
        {(data) => (
          <Grid columns={{ initial: '1', md: '2' }} gap="4" role="list" aria-label={listLabel}>
            {data.items.map((item) => (
              <Box role="listitem" key={item.id}>
                {card(item, data.items)}
              </Box>
            ))}
          </Grid>
        )}
      </QueryState>
    </>
  );
}
