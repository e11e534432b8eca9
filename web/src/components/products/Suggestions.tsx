import { LightningBoltIcon } from '@radix-ui/react-icons';
import { Badge, Card, Flex, Heading, Link, Skeleton, Text } from '@radix-ui/themes';
import { useQuery } from '@tanstack/react-query';
import { aiSuggestionsQuery } from '../../api/products';
import { ApiError, errorMessage } from '../../api/errors';

export function Suggestions({ onSearch }: { onSearch: (q: string) => void }) {
  const ai = useQuery(aiSuggestionsQuery);
  // No gateway configured: the feature is simply not there.
  if (ai.isError && ai.error instanceof ApiError && ai.error.status === 503) return null;
  return (
    <Card size="2" asChild>
      <section aria-label="Sourcing ideas">
        <Flex direction="column" gap="3">
          <Flex align="center" gap="2">
            <LightningBoltIcon />
            <Heading as="h2" size="3">
              Sourcing ideas
            </Heading>
          </Flex>
          {ai.isPending ? (
            <Flex direction="column" gap="2" aria-busy="true" aria-label="Loading ideas">
              <Skeleton height="16px" />
              <Skeleton height="16px" width="70%" />
            </Flex>
          ) : ai.isError ? (
            <Text size="2" color="gray">
              Ideas are unavailable right now: {errorMessage(ai.error)}
            </Text>
          ) : (
            <Flex direction="column" gap="3">
              {ai.data.suggestions.map((s, i) =>
                typeof s === 'string' ? (
                  <Text key={i} size="2">
                    {s}
                  </Text>
                ) : (
                  <SuggestionRow key={i} item={s as { title: string; description: string; priority: string }} onSearch={onSearch} />
                ),
              )}
            </Flex>
          )}
        </Flex>
      </section>
    </Card>
  );
}

function SuggestionRow({ item, onSearch }: { item: { title: string; description: string; priority: string }; onSearch: (q: string) => void }) {
  const color = item.priority === 'high' ? 'red' : item.priority === 'low' ? 'gray' : 'blue';
  return (
    <Flex direction="column" gap="1">
      <Flex gap="2" align="center" wrap="wrap">
        <Link asChild size="2" weight="medium">
          <button type="button" onClick={() => onSearch(item.title)} style={{ background: 'none', border: 0, padding: 0, cursor: 'pointer', textAlign: 'left' }}>
            {item.title}
          </button>
        </Link>
        <Badge color={color} variant="soft" size="1">
          {item.priority}
        </Badge>
      </Flex>
      <Text size="1" color="gray">
        {item.description}
      </Text>
    </Flex>
  );
}
