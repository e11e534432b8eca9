import { Card, Flex, Grid, Skeleton } from '@radix-ui/themes';

/** Two placeholder cards in the same grid as the cards they stand in for. */
export function LoadingCards({ label, lines }: { label: string; lines: { width: string; height: string }[] }) {
  return (
    <Grid columns={{ initial: '1', md: '2' }} gap="4" aria-busy="true" aria-label={label}>
      {[0, 1].map((i) => (
        <Card size="3" key={i}>
          <Flex direction="column" gap="3">
            {lines.map((line, j) => (
              <Skeleton key={j} width={line.width} height={line.height} />
            ))}
          </Flex>
        </Card>
      ))}
    </Grid>
  );
}
