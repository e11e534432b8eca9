import { ArrowLeftIcon, CheckIcon } from '@radix-ui/react-icons';
import { Button, Card, Flex, Heading, Text } from '@radix-ui/themes';
import type { ComponentType } from 'react';
import { Link } from 'react-router';
import { PageHeader } from './PageHeader';

/** The page of a feature that is not in this release yet: what it will do, and a way back. */
export function ComingSoon({
  title,
  description,
  feature,
  icon: Icon,
  points,
}: {
  title: string;
  description: string;
  feature: string;
  icon: ComponentType<{ width?: string; height?: string }>;
  points: string[];
}) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <Card size="4">
        <Flex direction="column" align="center" gap="4" py="6" px={{ initial: '0', sm: '6' }} style={{ textAlign: 'center' }}>
          <Flex className="empty-icon" align="center" justify="center" aria-hidden="true">
            <Icon />
          </Flex>
          <Heading as="h2" size="5">
            Coming with {feature}
          </Heading>
          <Text as="p" size="2" color="gray" style={{ maxWidth: 480 }}>
            This page is part of an upcoming release. Here is what you will be able to do:
          </Text>
          <Flex asChild direction="column" gap="2" style={{ textAlign: 'left' }}>
            <ul>
              {points.map((point) => (
                <Flex asChild key={point} gap="2" align="start">
                  <li>
                    <Text color="indigo" mt="1" asChild>
                      <CheckIcon aria-hidden="true" />
                    </Text>
                    <Text size="2">{point}</Text>
                  </li>
                </Flex>
              ))}
            </ul>
          </Flex>
          <Button asChild variant="soft" mt="2">
            <Link to="/">
              <ArrowLeftIcon /> Back to the dashboard
            </Link>
          </Button>
        </Flex>
      </Card>
    </>
  );
}
