import { Box, Flex, Heading, Text } from '@radix-ui/themes';
import type { ReactNode } from 'react';
import { usePageTitle } from '../app/usePageTitle';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  usePageTitle(title);
  return (
    <Flex justify="between" align={{ initial: 'start', sm: 'end' }} gap="4" mb="5" direction={{ initial: 'column', sm: 'row' }}>
      <Box>
        <Heading as="h1" size="7" weight="bold" style={{ letterSpacing: '-0.02em' }}>
          {title}
        </Heading>
        {description && (
          <Text as="p" size="2" color="gray" mt="1" style={{ maxWidth: 640 }}>
            {description}
          </Text>
        )}
      </Box>
      {actions && <Flex gap="3" flexShrink="0">{actions}</Flex>}
    </Flex>
  );
}
