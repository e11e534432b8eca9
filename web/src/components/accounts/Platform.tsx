import { Badge, Box, RadioCards, Text, type BadgeProps } from '@radix-ui/themes';
import type { ComponentProps } from 'react';

type PlatformMeta = { label: string; color: BadgeProps['color'] };

/** A platform's coloured name; a platform the dashboard does not know shows as stored, in grey. */
export function PlatformBadge({ platform, meta }: { platform: string; meta: PlatformMeta | null }) {
  return (
    <Badge color={meta?.color ?? 'gray'} variant="soft">
      {meta?.label ?? platform}
    </Badge>
  );
}

/** The labelled row of cards choosing the platform of a new account. */
export function PlatformPicker<P extends string>({
  id,
  label,
  platforms,
  value,
  columns,
  onChange,
}: {
  id: string;
  label: string;
  platforms: Record<P, { label: string }>;
  value: P | null;
  columns: ComponentProps<typeof RadioCards.Root>['columns'];
  onChange: (platform: P) => void;
}) {
  return (
    <Box>
      <Text as="div" size="2" weight="medium" mb="2" id={id}>
        {label}
      </Text>
      <RadioCards.Root aria-labelledby={id} columns={columns} value={value ?? ''} onValueChange={(p) => onChange(p as P)}>
        {(Object.keys(platforms) as P[]).map((p) => (
          <RadioCards.Item key={p} value={p}>
            <Text weight="bold">{platforms[p].label}</Text>
          </RadioCards.Item>
        ))}
      </RadioCards.Root>
    </Box>
  );
}
