import { Badge } from '@radix-ui/themes';
import type { ImportListItem } from '../../api/import-list';

const LABEL: Record<ImportListItem['status'], { text: string; color: 'gray' | 'blue' | 'green' | 'red' }> = {
  draft: { text: 'Not pushed', color: 'gray' },
  pushing: { text: 'Pushing…', color: 'blue' },
  pushed: { text: 'Pushed', color: 'green' },
  push_failed: { text: 'Push failed', color: 'red' },
};

export function ItemStatusBadge({ item }: { item: Pick<ImportListItem, 'status'> }) {
  const l = LABEL[item.status];
  return (
    <Badge color={l.color} data-status={item.status}>
      {l.text}
    </Badge>
  );
}
