import { Box, Card, Flex, Heading } from '@radix-ui/themes';
import type { ReactNode } from 'react';

/** The card of one store or supplier account: its name, a line under it, badges on the right, then the body. */
export function AccountCard({
  name,
  data,
  subtitle,
  badges,
  children,
}: {
  name: string;
  /** `data-*` attributes the browser tests find the card by. */
  data: Record<`data-${string}`, string | boolean>;
  subtitle: ReactNode;
  badges: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card size="3" asChild>
      <article aria-label={name} {...data}>
        <Flex direction="column" gap="3" height="100%">
          <Flex justify="between" align="start" gap="3">
            <Box minWidth="0">
              <Heading as="h2" size="4" trim="start" truncate>
                {name}
              </Heading>
              {subtitle}
            </Box>
            <Flex gap="2" flexShrink="0" wrap="wrap" justify="end">
              {badges}
            </Flex>
          </Flex>
          {children}
        </Flex>
      </article>
    </Card>
  );
}
