import { Flex, Text } from '@radix-ui/themes';

export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="var(--accent-9)" />
      <path d="M9 21.5 16 8l7 13.5-7-3.2z" fill="var(--accent-contrast)" />
    </svg>
  );
}

export function Brand({ size = '4' }: { size?: '3' | '4' | '5' }) {
  return (
    <Flex align="center" gap="2">
      <BrandMark size={size === '5' ? 32 : 28} />
      <Text size={size} weight="bold" highContrast style={{ letterSpacing: '-0.01em' }}>
        SourcePilot
      </Text>
    </Flex>
  );
}
