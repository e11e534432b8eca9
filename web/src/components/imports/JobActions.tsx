import { Cross2Icon, ReloadIcon } from '@radix-ui/react-icons';
import { Button, Flex, Text } from '@radix-ui/themes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { cancelImport, canCancel, canRetry, importKeys, productOf, retryImport, type ImportJob } from '../../api/imports';
import { errorMessage } from '../../api/errors';

/** Cancel for queued or running jobs, retry for failed or cancelled ones. */
export function JobActions({ job, size = '1' }: { job: ImportJob; size?: '1' | '2' }) {
  const queryClient = useQueryClient();
  const name = productOf(job)?.title ?? job.product_url ?? 'import';
  const onSettled = () => queryClient.invalidateQueries({ queryKey: importKeys.all });
  const cancel = useMutation({ mutationFn: () => cancelImport(job.id), onSettled });
  const retry = useMutation({ mutationFn: () => retryImport(job.id), onSettled });
  const failed = cancel.isError ? cancel.error : retry.isError ? retry.error : null;

  if (!canCancel(job) && !canRetry(job)) return null;
  return (
    <Flex direction="column" align="end" gap="1">
      {canCancel(job) && (
        <Button
          size={size}
          variant="soft"
          color="gray"
          loading={cancel.isPending}
          onClick={(e) => {
            e.stopPropagation();
            retry.reset();
            cancel.mutate();
          }}
          aria-label={`Cancel import of ${name}`}
        >
          <Cross2Icon /> Cancel
        </Button>
      )}
      {canRetry(job) && (
        <Button
          size={size}
          variant="soft"
          loading={retry.isPending}
          onClick={(e) => {
            e.stopPropagation();
            cancel.reset();
            retry.mutate();
          }}
          aria-label={`Retry import of ${name}`}
        >
          <ReloadIcon /> Retry
        </Button>
      )}
      {failed && (
        <Text size="1" color="red" role="alert" style={{ maxWidth: 220, textAlign: 'right' }}>
          {errorMessage(failed)}
        </Text>
      )}
    </Flex>
  );
}
