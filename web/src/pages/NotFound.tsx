import { Button, Flex, Heading, Text } from '@radix-ui/themes';
import { Link } from 'react-router';
import { usePageTitle } from '../app/usePageTitle';
import { Brand } from '../components/Brand';

export default function NotFound() {
  usePageTitle('Page not found');
  return (
    <Flex className="auth-backdrop" direction="column" align="center" justify="center" gap="4" px="4" style={{ textAlign: 'center' }}>
      <Brand size="5" />
      <Text size="2" weight="bold" color="indigo" mt="4">
        404
      </Text>
      <Heading as="h1" size="8" style={{ letterSpacing: '-0.02em' }}>
        Page not found
      </Heading>
      <Text as="p" size="3" color="gray" style={{ maxWidth: 420 }}>
        The page you are looking for does not exist or has moved. Check the address, or head back to your dashboard.
      </Text>
      <Button asChild size="3" mt="2">
        <Link to="/">Go to the dashboard</Link>
      </Button>
    </Flex>
  );
}
