import { Box, Card, Flex, Grid, Skeleton } from '@radix-ui/themes';

/** Shown while a page's code loads. */
export function PageSkeleton() {
  return (
    <Box aria-busy="true" aria-label="Loading page">
      <Flex direction="column" gap="2" mb="5">
        <Skeleton width="200px" height="32px" />
        <Skeleton width="360px" height="18px" />
      </Flex>
      <Grid columns={{ initial: '1', sm: '2' }} gap="4">
        <Card size="3">
          <Skeleton height="96px" />
        </Card>
        <Card size="3">
          <Skeleton height="96px" />
        </Card>
      </Grid>
    </Box>
  );
}
