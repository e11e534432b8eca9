import { Box, Card, Flex, Heading, Text } from '@radix-ui/themes';
import type { ReactNode } from 'react';
import { Brand } from './Brand';

/** The centred card shared by the signed-out pages. */
export function AuthShell({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <Flex className="auth-backdrop" direction="column" align="center" justify="center" px="4" py="8" gap="5">
      <Brand size="5" />
      <Box width="100%" maxWidth="420px">
        <Card size={{ initial: '3', sm: '4' }}>
          <Heading as="h1" size="6" mb="1" style={{ letterSpacing: '-0.01em' }}>
            {title}
          </Heading>
          <Text as="p" size="2" color="gray" mb="5">
            {subtitle}
          </Text>
          {children}
        </Card>
        <Text as="p" size="2" color="gray" align="center" mt="4">
          {footer}
        </Text>
      </Box>
    </Flex>
  );
}
